import { join } from 'node:path';

/** The repository root (function entries and the lockfile are resolved from it). */
export const REPO_ROOT = join(import.meta.dirname, '..', '..');
