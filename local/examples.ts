/**
 * Ready-to-run example requests against the local API, built from the simulator's seeded learners so they
 * always match what the simulator holds. Printed by `npm start` as curl commands, listed in
 * local/README.md, and used by the start-up test.
 */
import { notableLearner } from '../simulator/seed.js';

export interface ExampleRequest {
  readonly title: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Extra headers besides content type, bearer token and organisation. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** What the caller should see. */
  readonly expect: string;
}

/** The LRS's learnerByDemographics search wants the postcode without its space (CV49EE). */
const compactPostcode = (postcode: string): string => postcode.replace(/\s+/g, '');

export const exampleRequests = (): ExampleRequest[] => {
  const exact = notableLearner('exact');
  const plr = notableLearner('plrExact');
  const findBody = {
    findType: 'FUL',
    familyName: exact.familyName,
    givenName: exact.givenName,
    dateOfBirth: exact.dateOfBirth,
    gender: exact.gender,
    lastKnownPostCode: compactPostcode(exact.postcode),
  };
  return [
    {
      title: 'Find a learner by demographics (exact match)',
      method: 'POST',
      path: '/v1/learners/find-by-demographics',
      body: findBody,
      expect: `200, status COMPLETED, outcome of LRS code WSRC0004 with ULN ${exact.uln}`,
    },
    {
      title:
        'Register a learner (the gateway searches first, so an existing learner is not registered twice)',
      method: 'POST',
      path: '/v1/learners/register',
      headers: { 'Idempotency-Key': 'example-register-1' },
      body: {
        learner: {
          givenName: exact.givenName,
          familyName: exact.familyName,
          dateOfBirth: exact.dateOfBirth,
          gender: exact.gender,
          lastKnownPostCode: exact.postcode,
          verificationType: '1',
          abilityToShare: '1',
        },
      },
      expect: `200, status COMPLETED: the search found ULN ${exact.uln}, so nothing new is registered`,
    },
    {
      title: 'Personal Learning Record (learning events)',
      method: 'POST',
      path: '/v1/learners/learning-events',
      body: { uln: plr.uln, givenName: plr.givenName, familyName: plr.familyName, getType: 'FULL' },
      expect: '200, status COMPLETED, LRS code WSRC0004 with the learning events',
    },
    {
      title: 'Bulk job: find two learners by ULN through the queue',
      method: 'POST',
      path: '/v1/jobs',
      headers: { 'Idempotency-Key': 'example-job-1' },
      body: {
        operation: 'findLearnerByUln',
        items: [
          { findType: 'FUL', uln: exact.uln, familyName: exact.familyName, givenName: exact.givenName },
          { findType: 'FUL', uln: plr.uln, familyName: plr.familyName, givenName: plr.givenName },
        ],
      },
      expect: '202 with a jobId; then GET /v1/jobs/{jobId} and /v1/jobs/{jobId}/results',
    },
  ];
};

const shellQuote = (text: string): string => `'${text.replaceAll("'", "'\\''")}'`;

/** A curl command for an example, with the API URL, key and organisation filled in. */
/**
 * The example as a curl command. `token` is what goes after `Bearer ` — the printed commands use the
 * shell variable `$TOKEN` (set by the token command), so the header is double-quoted.
 */
export const toCurl = (
  example: ExampleRequest,
  apiUrl: string,
  token: string,
  organisationId: string,
): string => {
  const lines = [`curl -sS -X ${example.method} ${shellQuote(`${apiUrl}${example.path}`)}`];
  lines.push(`-H "authorization: Bearer ${token}"`, `-H 'x-lrs-organisation: ${organisationId}'`);
  for (const [name, value] of Object.entries(example.headers ?? {}))
    lines.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  if (example.body !== undefined) {
    lines.push(`-H 'content-type: application/json'`, `-d ${shellQuote(JSON.stringify(example.body))}`);
  }
  return lines.join(' \\\n    ');
};

/** The command that gets a token from the local token endpoint into $TOKEN (client credentials grant). */
export const tokenCurl = (tokenEndpoint: string, clientId: string, clientSecret: string): string =>
  [
    `TOKEN=$(curl -sS -X POST ${shellQuote(tokenEndpoint)}`,
    `-u ${shellQuote(`${clientId}:${clientSecret}`)}`,
    `-d grant_type=client_credentials | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
  ].join(' \\\n    ');
