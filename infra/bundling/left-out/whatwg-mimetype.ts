/** Stand-in for whatwg-mimetype in the function bundles (see ../left-out.ts). */
import { leftOut } from '../left-out.js';

export const MIMEType = leftOut('whatwg-mimetype', 'MIMEType');
