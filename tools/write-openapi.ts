/**
 * `npm run openapi`: writes the published reference at the repository root: openapi.json (the generated
 * document with seeded examples and snippets), docs/api.html (the browsable reference, offline),
 * docs/errors.html and docs/outcomes.md (the catalogue of outcomes and error codes), and the generated
 * part of the TypeScript client (clients/typescript/schema.d.ts, catalogue.ts). A test fails when a
 * committed one (openapi.json, docs/outcomes.md, catalogue.ts) is stale; the others are built, not committed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { publishedFiles } from '../local/reference.js';

const root = join(import.meta.dirname, '..');
for (const [path, text] of Object.entries(await publishedFiles())) {
  const target = join(root, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  console.log(`Wrote ${target}`);
}
