/** The OpenAPI document: valid OpenAPI 3.1, every route, and the committed openapi.json is current. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { publishedFiles, referenceDocument } from '../../../local/reference.js';
import { buildOpenApiDocument } from '../../../shared/api/openapi.js';
import { ERROR_CODE_LIST, ERROR_CODES } from '../../../shared/domain/error-codes.js';
import { MAX_JSON_DEPTH } from '../../../shared/http/http-input.js';
import { OPERATION_LIST } from '../../../shared/lrs/contract/operations.js';
import { OUTCOME_CATALOGUE } from '../../../shared/lrs/contract/outcome-catalogue.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');

describe('the OpenAPI document', () => {
  it('validates as OpenAPI 3.1', async () => {
    const result = await new Validator().validate(
      structuredClone(referenceDocument()) as unknown as Record<string, unknown>,
    );
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(buildOpenApiDocument().openapi).toBe('3.1.0');
  });

  it('lists every operation route, the requests route and itself, each with the scope its caller token needs', () => {
    const doc = buildOpenApiDocument();
    for (const op of OPERATION_LIST) {
      const post = doc.paths?.[op.route.path]?.post;
      expect(post?.operationId, op.id).toBe(op.id);
      expect(post?.security).toEqual([{ CallerToken: [op.mutating ? 'lrs.write' : 'lrs.read'] }]);
      const headers = (post?.parameters ?? []) as Array<{ name: string; in: string; required?: boolean }>;
      expect(headers.find((h) => h.name === 'Idempotency-Key')?.required, op.id).toBe(op.mutating);
      expect(headers.find((h) => h.name === 'X-LRS-Organisation')?.required).toBe(true);
      expect(Object.keys(post?.responses ?? {}).sort()).toEqual(
        [
          '200',
          '400',
          '401',
          '403',
          '404',
          '409',
          '413',
          '415',
          '422',
          '429',
          '500',
          '502',
          '503',
          '504',
        ].sort(),
      );
    }
    expect(doc.paths?.['/v1/requests/{requestId}']?.get?.operationId).toBe('getRequest');
    expect(doc.paths?.['/v1/openapi.json']?.get).toBeDefined();
    expect(doc.paths?.['/v1/jobs']?.post?.security).toEqual([{ CallerToken: ['jobs'] }]);
    expect(doc.paths?.['/v1/openapi.json']?.get?.security).toEqual([]);
    expect(doc.paths?.['/v1/organisations/{organisationId}/status']?.get?.security).toEqual([
      { CallerToken: ['lrs.read'] },
      { CallerToken: ['admin'] },
    ]);
    expect(doc.components?.securitySchemes?.ApiKey).toBeUndefined();
    expect(doc.paths?.['/v1/docs']?.get?.security).toEqual([]);
  });

  it('describes the request bodies from the validation schemas (facets included)', () => {
    const schemas = buildOpenApiDocument().components?.schemas ?? {};
    const find = schemas.FindLearnerByUlnRequest as { properties: Record<string, { pattern?: string }> };
    expect(find.properties.uln?.pattern).toBe('^[1-9][0-9]{9}$');
    expect(schemas.RegisterLearnerResult).toBeDefined();
    expect(schemas.Outcome).toBeDefined();
  });

  it('is committed as generated, with the outcome catalogue and the client catalogue (run `npm run openapi`)', async () => {
    const files = await publishedFiles();
    // docs/api.html, docs/errors.html and clients/typescript/schema.d.ts are built, not committed.
    for (const path of ['openapi.json', 'docs/outcomes.md', 'clients/typescript/catalogue.ts']) {
      const committed = readFileSync(join(repoRoot, path), 'utf8');
      expect(committed === files[path], `${path} is stale: run npm run openapi`).toBe(true);
    }
  });

  it('the catalogue page lists every outcome and error code with what to do', () => {
    const page = readFileSync(join(repoRoot, 'docs/outcomes.md'), 'utf8');
    for (const o of OUTCOME_CATALOGUE) {
      expect(page).toContain(`| \`${o.name}\` |`);
      expect(o.action.length, o.code).toBeGreaterThan(10);
    }
    for (const code of ERROR_CODE_LIST)
      expect(page).toContain(`| \`${code}\` | ${ERROR_CODES[code].status} |`);
    expect(page).toMatch(/\| `POSSIBLE_MATCHES` \| `WSRC0003` \|.*admissions officer/);
    expect(page).toMatch(
      /\| `NOT_SHARED` \| `WSEC0206` \|.*ask the learner to share|Ask the learner to share/,
    );
  });

  it('documents every error status of every route with the envelope, and the JSON depth limit', () => {
    const doc = buildOpenApiDocument();
    for (const [path, methods] of Object.entries(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(
        methods as Record<
          string,
          { responses: Record<string, unknown>; security?: unknown[]; requestBody?: { description?: string } }
        >,
      )) {
        const statuses = Object.keys(op.responses);
        const expected =
          op.security && op.security.length === 0
            ? ['400', '404', '413', '429', '500', '502', '504']
            : ['400', '401', '403', '404', '413', '429', '500', '502', '504'];
        expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(expected));
        if (op.requestBody)
          expect(op.requestBody.description, `${method} ${path}`).toContain(
            `at most ${MAX_JSON_DEPTH} levels`,
          );
      }
    }
  });
});
