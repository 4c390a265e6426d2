/** Stand-in for formidable in the function bundles (see ../left-out.ts). */
import { leftOut } from '../left-out.js';

export const MultipartParser = leftOut('formidable', 'MultipartParser');
