/** A file of the shared LRS reference data (../shared/lrs-reference: read in tests, never copied). */
import { join } from 'node:path';

export const referencePath = (...parts: string[]): string =>
  join(import.meta.dirname, '..', '..', 'shared', 'lrs-reference', ...parts);
