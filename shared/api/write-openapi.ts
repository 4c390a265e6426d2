/** `npm run openapi`: writes the generated OpenAPI document to openapi.json at the repository root. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiJson } from './openapi.js';

const target = join(import.meta.dirname, '..', '..', 'openapi.json');
writeFileSync(target, openApiJson());
console.log(`Wrote ${target}`);
