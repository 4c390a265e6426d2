/** Stand-in for axios-ntlm in the function bundles (see ../left-out.ts). */
import { leftOut } from '../left-out.js';

export const NtlmClient = leftOut('axios-ntlm', 'NtlmClient');
