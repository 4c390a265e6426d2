/** The OpenAPI document: valid OpenAPI 3.1, every route, and the committed openapi.json is current. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, openApiJson } from '../../../shared/api/openapi.js';
import { OPERATION_LIST } from '../../../shared/lrs/operations.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');

describe('the OpenAPI document', () => {
  it('validates as OpenAPI 3.1', async () => {
    const result = await new Validator().validate(
      structuredClone(buildOpenApiDocument()) as unknown as Record<string, unknown>,
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
    expect(doc.components?.securitySchemes?.CallerToken).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(doc.components?.securitySchemes?.ApiKey).toBeUndefined();
  });

  it('describes the request bodies from the validation schemas (facets included)', () => {
    const schemas = buildOpenApiDocument().components?.schemas ?? {};
    const find = schemas.FindLearnerByUlnRequest as { properties: Record<string, { pattern?: string }> };
    expect(find.properties.uln?.pattern).toBe('^[1-9][0-9]{9}$');
    expect(schemas.RegisterLearnerResult).toBeDefined();
    expect(schemas.Outcome).toBeDefined();
  });

  it('is committed as generated (run `npm run openapi` after changing a schema)', () => {
    const committed = readFileSync(join(repoRoot, 'openapi.json'), 'utf8');
    expect(committed === openApiJson(), 'openapi.json is stale: run npm run openapi').toBe(true);
  });
});
