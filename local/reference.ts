/**
 * The API reference as published: the generated OpenAPI document (shared/api/openapi.ts) with request and
 * response examples built from the simulator's seeded learners and ready-to-adapt snippets in curl,
 * TypeScript (clients/typescript), C# (HttpClient) and Python (requests) per operation; the browsable
 * page rendered from it by Swagger UI (swagger-ui-dist, inlined so the page works offline); and the
 * catalogue page of outcomes and error codes. `npm run openapi` writes them all (openapi.json,
 * docs/api.html, docs/errors.html, docs/outcomes.md); the requests function serves them at
 * /v1/openapi.json, /v1/docs and /v1/docs/errors (shared/api/published.ts).
 */
import { generateClientFiles } from '../clients/typescript/generate.js';
import { catalogueHtml, catalogueMarkdown } from '../shared/api/catalogue.js';
import { buildOpenApiDocument } from '../shared/api/openapi.js';
import { referenceHtml, swaggerAssets } from '../shared/api/reference-page.js';
import { DOCS_PATH, docUrlFor } from '../shared/domain/error-codes.js';
import { HEADERS } from '../shared/http/http-input.js';
import { OPERATION_LIST } from '../shared/lrs/contract/operations.js';
import { OUTCOME_CATALOGUE } from '../shared/lrs/contract/outcome-catalogue.js';
import { outcomeFor, outcomeView } from '../shared/lrs/contract/outcomes.js';
import { notableLearner } from '../simulator/seed.js';
import { exampleRequests } from './examples.js';

type Json = Record<string, unknown>;
type Doc = ReturnType<typeof buildOpenApiDocument>;

const ORG = 'TEST0001';
const EXAMPLE_REQUEST_ID = '3f1d2c4b-8a6e-4f1a-9c2d-5b7e8f9a0b1c';
const EXAMPLE_TIME = '2025-09-01T09:30:00.000Z';

/** Request bodies built from the seeded learners, by operation route. */
const seededBodies = (): Map<
  string,
  { title: string; body: unknown; headers?: Readonly<Record<string, string>> }
> => {
  const bodies = new Map<
    string,
    { title: string; body: unknown; headers?: Readonly<Record<string, string>> }
  >();
  for (const example of exampleRequests()) {
    if (example.method === 'POST' && !bodies.has(example.path))
      bodies.set(example.path, {
        title: example.title,
        body: example.body,
        ...(example.headers ? { headers: example.headers } : {}),
      });
  }
  const exact = notableLearner('exact');
  bodies.set('/v1/learners/find-by-uln', {
    title: 'Find a seeded learner by ULN (exact match)',
    body: { findType: 'FUL', uln: exact.uln, familyName: exact.familyName, givenName: exact.givenName },
  });
  bodies.set('/v1/learners/verify', {
    title: 'Verify that a ULN belongs to a seeded learner',
    body: {
      uln: exact.uln,
      givenName: exact.givenName,
      familyName: exact.familyName,
      dateOfBirth: exact.dateOfBirth,
      gender: exact.gender,
    },
  });
  return bodies;
};

const view = (operation: string, lrsCode: string, result: unknown): Json => ({
  requestId: EXAMPLE_REQUEST_ID,
  operation,
  organisationId: ORG,
  status: 'COMPLETED',
  outcome: outcomeView(outcomeFor(lrsCode)),
  result,
  attempts: 1,
  receivedAt: EXAMPLE_TIME,
  completedAt: '2025-09-01T09:30:00.412Z',
  lrsDurationMs: 388,
});

/** 200 examples for the operations whose seeded request has a known answer. */
const responseExamples = (): Map<string, { summary: string; value: Json }> => {
  const exact = notableLearner('exact');
  const learner = {
    uln: exact.uln,
    masterSubstituted: false,
    linkedUlns: [],
    givenName: exact.givenName,
    familyName: exact.familyName,
    dateOfBirth: exact.dateOfBirth,
    gender: exact.gender,
    lastKnownPostCode: exact.postcode,
    versionNumber: 1,
  };
  return new Map([
    [
      '/v1/learners/find-by-demographics',
      {
        summary: 'Exact match (WSRC0004)',
        value: view('findLearnerByDemographics', 'WSRC0004', {
          responseCode: 'WSRC0004',
          learners: [learner],
        }),
      },
    ],
    [
      '/v1/learners/find-by-uln',
      {
        summary: 'Exact match (WSRC0004)',
        value: view('findLearnerByUln', 'WSRC0004', {
          responseCode: 'WSRC0004',
          searchedUln: exact.uln,
          learners: [learner],
        }),
      },
    ],
    [
      '/v1/learners/register',
      {
        summary: 'The search found the learner, so nothing was registered (WSRC0004)',
        value: view('registerLearner', 'WSRC0004', {
          registered: false,
          searchResponseCode: 'WSRC0004',
          matches: [{ learner, differences: [] }],
        }),
      },
    ],
  ]);
};

const errorExamples = (): Record<string, { summary: string; value: Json }> => ({
  '400': {
    summary: 'A bad field (never the value)',
    value: {
      error: {
        code: 'VALIDATION_FAILED',
        message: 'The request is invalid: see issues',
        retryable: false,
        requestId: EXAMPLE_REQUEST_ID,
        docUrl: docUrlFor('VALIDATION_FAILED', 'https://api.example'),
        issues: [
          {
            field: 'dateOfBirth',
            rule: 'pattern',
            message:
              'dateOfBirth does not have the required format: Date of birth (YYYY-MM-DD, 1800-2099) (rule: pattern)',
          },
        ],
      },
    },
  },
  '503': {
    summary: 'The LRS is outside its service hours (Retry-After: 3600)',
    value: {
      error: {
        code: 'LRS_UNAVAILABLE',
        message: 'The LRS is outside its service hours; try again later',
        retryable: true,
        retryAfterSeconds: 3600,
        reason: 'OUT_OF_HOURS',
        requestId: EXAMPLE_REQUEST_ID,
        docUrl: docUrlFor('LRS_UNAVAILABLE', 'https://api.example'),
        outcome: { ...outcomeView(outcomeFor('WSEC0004')), retryAfterSeconds: 3600 },
      },
    },
  },
});

const pyLiteral = (value: unknown, indent = ''): string => {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  const next = `${indent}    `;
  if (Array.isArray(value)) return `[${value.map((v) => pyLiteral(v, next)).join(', ')}]`;
  const entries = Object.entries(value as Json).map(
    ([k, v]) => `${next}${JSON.stringify(k)}: ${pyLiteral(v, next)},`,
  );
  return `{\n${entries.join('\n')}\n${indent}}`;
};

/** The four snippets of a call, in the operation's description. */
export const snippets = (call: {
  method: 'GET' | 'POST';
  path: string;
  operationId: string;
  body?: unknown;
  mutating: boolean;
}): string => {
  const json = call.body === undefined ? undefined : JSON.stringify(call.body);
  const key = call.mutating ? `${HEADERS.idempotencyKey}` : undefined;
  const curl = [
    `curl -sS -X ${call.method} "$API${call.path}" \\`,
    `  -H "Authorization: Bearer $TOKEN" -H '${HEADERS.organisation}: ${ORG}' \\`,
    ...(key ? [`  -H "${key}: $(uuidgen)" \\`] : []),
    ...(json
      ? [`  -H 'Content-Type: application/json' -d '${json.replaceAll("'", "'\\''")}'`]
      : ['  -H "Accept: application/json"']),
  ];
  const ts = [
    "import { createLrsGatewayClient } from './clients/typescript/index.js';",
    '',
    'const lrs = createLrsGatewayClient({ baseUrl: API, tokenUrl: TOKEN_URL, clientId, clientSecret });',
    call.method === 'POST' && call.path.startsWith('/v1/') && json
      ? `const answer = await lrs.call('${call.operationId}', ${json}, { organisation: '${ORG}' });`
      : `const answer = await lrs.raw.GET('${call.path}', { headers: { '${HEADERS.organisation}': '${ORG}' } });`,
    ...(key ? ['// An Idempotency-Key is added (and kept across retries) by the client.'] : []),
  ];
  const cs = [
    'using var http = new HttpClient { BaseAddress = new Uri(api) };',
    'http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);',
    `http.DefaultRequestHeaders.Add("${HEADERS.organisation}", "${ORG}");`,
    `using var request = new HttpRequestMessage(HttpMethod.${call.method === 'POST' ? 'Post' : 'Get'}, "${call.path.slice(1)}");`,
    ...(key ? [`request.Headers.Add("${key}", Guid.NewGuid().ToString()); // keep it for retries`] : []),
    ...(json
      ? [`request.Content = new StringContent("""\n${json}\n""", Encoding.UTF8, "application/json");`]
      : []),
    'using var response = await http.SendAsync(request);',
    'var body = await response.Content.ReadAsStringAsync(); // 2xx: the answer; otherwise { "error": { "code", ... } }',
  ];
  const py = [
    'import uuid, requests',
    '',
    `response = requests.${call.method.toLowerCase()}(`,
    `    f"{API}${call.path}",`,
    ...(call.body !== undefined ? [`    json=${pyLiteral(call.body, '    ')},`] : []),
    `    headers={"Authorization": f"Bearer {token}", "${HEADERS.organisation}": "${ORG}"${key ? `, "${key}": str(uuid.uuid4())` : ''}},`,
    '    timeout=35,',
    ')',
    'answer = response.json()  # 2xx: the answer; otherwise answer["error"]["code"]',
  ];
  return [
    '',
    '**Examples** (`$API` is the API base URL, `$TOKEN` an access token: see *Calling the API* above)',
    '',
    '```sh',
    ...curl,
    '```',
    '',
    '```ts',
    ...ts,
    '```',
    '',
    '```csharp',
    ...cs,
    '```',
    '',
    '```python',
    ...py,
    '```',
  ].join('\n');
};

const CALLING = [
  '',
  '## Calling the API',
  '',
  'Get an access token with the OAuth 2.0 client credentials grant from the token endpoint (HTTP Basic',
  'with your client id and secret), send it as `Authorization: Bearer <token>`, name the organisation in',
  '`X-LRS-Organisation`, and send an `Idempotency-Key` (a new UUID per request, the same on a retry) to',
  'every operation that changes the LRS. Tokens last an hour: get a new one when a call answers 401.',
  '',
  '```sh',
  'TOKEN=$(curl -sS -u "$CLIENT_ID:$CLIENT_SECRET" -d grant_type=client_credentials "$TOKEN_URL" | jq -r .access_token)',
  '```',
  '',
  '```csharp',
  'var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{clientSecret}"));',
  'using var tokenRequest = new HttpRequestMessage(HttpMethod.Post, tokenUrl)',
  '{',
  '    Headers = { Authorization = new AuthenticationHeaderValue("Basic", basic) },',
  '    Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }),',
  '};',
  'using var tokenResponse = await http.SendAsync(tokenRequest);',
  'var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();',
  '```',
  '',
  '```python',
  'token = requests.post(TOKEN_URL, auth=(CLIENT_ID, CLIENT_SECRET), data={"grant_type": "client_credentials"}, timeout=10).json()["access_token"]',
  '```',
  '',
  'The TypeScript client in `clients/typescript/` does all of this (and retries with `Retry-After`).',
  '',
  `Outcomes and error codes, and what to do about each: [the catalogue](${DOCS_PATH}/errors).`,
].join('\n');

/** The published OpenAPI document: the generated one, with seeded examples and snippets. */
export const referenceDocument = (): Doc => {
  const doc = structuredClone(buildOpenApiDocument());
  const bodies = seededBodies();
  const answers = responseExamples();
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Json>>;
  doc.info.description = `${doc.info.description ?? ''}\n${CALLING}`;
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (operation.tags && (operation.tags as string[]).includes('Reference')) continue;
      const op = OPERATION_LIST.find((o) => o.route.path === path);
      const seeded = bodies.get(path);
      const requestBody = operation.requestBody as { content?: Record<string, Json> } | undefined;
      const jsonBody = requestBody?.content?.['application/json'];
      if (seeded && jsonBody) jsonBody.examples = { seeded: { summary: seeded.title, value: seeded.body } };
      const responses = operation.responses as Record<string, { content?: Record<string, Json> }>;
      const answer = answers.get(path);
      const ok = responses['200']?.content?.['application/json'];
      if (answer && ok) ok.examples = { seeded: answer };
      for (const [status, example] of Object.entries(errorExamples())) {
        const content = responses[status]?.content?.['application/json'];
        if (content) content.examples = { [status === '400' ? 'badField' : 'outOfHours']: example };
      }
      operation.description = `${String(operation.description ?? operation.summary ?? '')}\n${snippets({
        method: method.toUpperCase() as 'GET' | 'POST',
        path,
        operationId: String(operation.operationId),
        ...(seeded ? { body: seeded.body } : {}),
        mutating: op?.mutating ?? false,
      })}`;
    }
  }
  return doc;
};

export const referenceJson = (): string => `${JSON.stringify(referenceDocument(), null, 2)}\n`;

/** Every published file, by path relative to the repository root. */
export const referenceFiles = (): Record<string, string> => {
  const doc = referenceDocument();
  return {
    'openapi.json': `${JSON.stringify(doc, null, 2)}\n`,
    'docs/api.html': referenceHtml(doc, swaggerAssets(), { catalogueHref: 'errors.html' }),
    'docs/errors.html': catalogueHtml({ referenceHref: 'api.html' }),
    'docs/outcomes.md': catalogueMarkdown(),
  };
};

/** Everything `npm run openapi` writes: the reference files and the generated part of the TypeScript client. */
export const publishedFiles = async (): Promise<Record<string, string>> => {
  const files = referenceFiles();
  const names = [...new Set(OUTCOME_CATALOGUE.map((o) => o.name))];
  return { ...files, ...(await generateClientFiles(files['openapi.json'] ?? '', names)) };
};
