/** Stand-in for xml-crypto in the function bundles (see ../left-out.ts); also keeps out xpath and xmldom. */
import { leftOut } from '../left-out.js';

export const SignedXml = leftOut('xml-crypto', 'SignedXml');
