/**
 * Writes clients/typescript/schema.d.ts from the committed openapi.json (`npm run typecheck` runs it
 * before tsc). The file holds types only, so it is built rather than committed; `npm run openapi`
 * writes the same text when it regenerates the document.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSchemaTypes, SCHEMA_TYPES_PATH } from '../clients/typescript/generate.js';

const root = join(import.meta.dirname, '..');
const text = await generateSchemaTypes(readFileSync(join(root, 'openapi.json'), 'utf8'));
writeFileSync(join(root, SCHEMA_TYPES_PATH), text);
