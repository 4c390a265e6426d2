/**
 * Generates the typed part of the client from openapi.json: `schema.d.ts` (openapi-typescript: paths,
 * components, operations) and `catalogue.ts` (the operations with their routes, the outcome names and the
 * error codes, as literal unions to switch on). `npm run openapi` writes both; a test fails when
 * catalogue.ts is stale. schema.d.ts holds types only and is built, not committed: `npm run typecheck`
 * writes it from the committed openapi.json first (tools/write-client-types.ts).
 */
import openapiTS, { astToString } from 'openapi-typescript';

interface Doc {
  paths: Record<
    string,
    Record<
      string,
      { operationId?: string; parameters?: Array<{ name: string; in: string; required?: boolean }> }
    >
  >;
  components: { schemas: Record<string, { properties?: Record<string, { enum?: string[] }> }> };
}

const HEADER =
  '// Generated from openapi.json by clients/typescript/generate.ts (`npm run openapi`): do not edit.\n';

export const SCHEMA_TYPES_PATH = 'clients/typescript/schema.d.ts';

/** `schema.d.ts`: every type of the API, one per schema and operation, as openapi-typescript writes them. */
export const generateSchemaTypes = async (docText: string): Promise<string> => {
  const ast = await openapiTS(JSON.parse(docText) as Parameters<typeof openapiTS>[0], {
    alphabetize: false,
    exportType: false,
    // A field with a default may be left out of a request.
    defaultNonNullable: false,
  });
  return `${HEADER}${astToString(ast)}`;
};

export const generateClientFiles = async (
  docText: string,
  outcomeNames: readonly string[],
): Promise<Record<string, string>> => {
  const doc = JSON.parse(docText) as Doc;
  const schema = await generateSchemaTypes(docText);
  const operations: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!op.operationId) continue;
      const key = op.parameters?.find((p) => p.in === 'header' && p.name === 'Idempotency-Key');
      operations.push(
        `  ${op.operationId}: { method: '${method.toUpperCase()}', path: '${path}', idempotencyKey: ${key ? (key.required ? "'required'" : "'optional'") : "'none'"} },`,
      );
    }
  }
  const codes = doc.components.schemas.Failure?.properties?.code?.enum ?? [];
  const catalogue = [
    HEADER,
    "import type { paths } from './schema.js';",
    '',
    '/** Every operation of the API: its method, route and whether it takes an Idempotency-Key. */',
    'export const OPERATIONS = {',
    ...operations,
    '} as const satisfies Record<string, { method: string; path: keyof paths; idempotencyKey: string }>;',
    '',
    'export type OperationId = keyof typeof OPERATIONS;',
    '',
    '/** Every outcome name the gateway answers with (switch on `outcome.name`). */',
    `export const OUTCOME_NAMES = [${outcomeNames.map((n) => `'${n}'`).join(', ')}, 'UNKNOWN_CODE'] as const;`,
    'export type OutcomeName = (typeof OUTCOME_NAMES)[number];',
    '',
    '/** Every error code of the one error envelope (switch on `error.code`). */',
    `export const ERROR_CODES = [${codes.map((c) => `'${c}'`).join(', ')}] as const;`,
    'export type ErrorCode = (typeof ERROR_CODES)[number];',
    '',
  ].join('\n');
  return { [SCHEMA_TYPES_PATH]: schema, 'clients/typescript/catalogue.ts': catalogue };
};
