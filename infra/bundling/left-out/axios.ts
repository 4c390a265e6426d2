/** Stand-in for axios in the function bundles (see ../left-out.ts). soap calls `axios.create()`. */
import { leftOut } from '../left-out.js';

export const create = leftOut('axios', 'create');
export default { create };
