/**
 * Smoke test of a deployed stage, run by the pipeline after each deploy and by hand (infra/README "Smoke
 * test"). Three checks, none of which touches learner data or calls the LRS:
 *   1. GET /v1/openapi.json (public) answers 200 with the OpenAPI document;
 *   2. GET /v1/organisations/{organisationId}/status without a token is refused with 401;
 *   3. the same read with a token answers 200 for a configured organisation (authorizer, registry and
 *      table reached end to end).
 *
 * Inputs (environment, so that secrets never appear in a process list or the shell history):
 *   SMOKE_API_URL        base URL, the ApiUrl output (https://…/<stage>/) or https://<custom domain>/
 *   SMOKE_ORGANISATION   an organisation id registered for the smoke-test caller
 *   SMOKE_ACCESS_TOKEN   an access token, or instead the client-credentials grant (RFC 6749 §4.4):
 *   SMOKE_TOKEN_URL, SMOKE_CLIENT_ID, SMOKE_CLIENT_SECRET, SMOKE_SCOPE (e.g. the Cognito /oauth2/token URL)
 *   SMOKE_API_KEY        optional usage-plan key sent as x-api-key
 *
 *   SMOKE_API_URL=… SMOKE_ORGANISATION=… SMOKE_TOKEN_URL=… SMOKE_CLIENT_ID=… SMOKE_CLIENT_SECRET=… \
 *     npx tsx tools/smoke-test.ts
 *
 * Prints one line per check (status codes only, never a token or a body) and exits 1 if any fails.
 */
import { pathToFileURL } from 'node:url';

export interface SmokeOptions {
  readonly apiUrl: string;
  readonly organisationId: string;
  readonly accessToken?: string;
  readonly tokenUrl?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly scope?: string;
  readonly apiKey?: string;
  readonly timeoutMs?: number;
}

export interface SmokeCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

type Fetch = typeof fetch;

const REQUIRED = ['SMOKE_API_URL', 'SMOKE_ORGANISATION'] as const;

/** Reads the options from the environment; throws naming every missing or malformed variable. */
export function smokeOptionsFromEnv(env: NodeJS.ProcessEnv): SmokeOptions {
  const problems: string[] = [];
  for (const name of REQUIRED) if (!env[name]) problems.push(`${name} is required`);
  const apiUrl = env.SMOKE_API_URL ?? '';
  if (apiUrl && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(apiUrl)) {
    problems.push(
      'SMOKE_API_URL must be an http(s) URL such as https://abc.execute-api.eu-west-2.amazonaws.com/test/',
    );
  }
  const grant = ['SMOKE_TOKEN_URL', 'SMOKE_CLIENT_ID', 'SMOKE_CLIENT_SECRET'] as const;
  if (!env.SMOKE_ACCESS_TOKEN && grant.some((name) => !env[name])) {
    problems.push(`set SMOKE_ACCESS_TOKEN, or all of ${grant.join(', ')} (client-credentials grant)`);
  }
  if (problems.length > 0) throw new Error(`Smoke test inputs:\n  - ${problems.join('\n  - ')}`);
  return {
    apiUrl,
    organisationId: env.SMOKE_ORGANISATION ?? '',
    accessToken: env.SMOKE_ACCESS_TOKEN || undefined,
    tokenUrl: env.SMOKE_TOKEN_URL || undefined,
    clientId: env.SMOKE_CLIENT_ID || undefined,
    clientSecret: env.SMOKE_CLIENT_SECRET || undefined,
    scope: env.SMOKE_SCOPE || undefined,
    apiKey: env.SMOKE_API_KEY || undefined,
  };
}

/** An access token from the options, or from the token endpoint with the client-credentials grant. */
export async function accessToken(options: SmokeOptions, fetchImpl: Fetch = fetch): Promise<string> {
  if (options.accessToken) return options.accessToken;
  const { tokenUrl, clientId, clientSecret } = options;
  if (!tokenUrl || !clientId || !clientSecret)
    throw new Error('no access token and no client-credentials grant');
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  if (options.scope) body.set('scope', options.scope);
  const response = await fetchImpl(tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
    },
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
  const token = ((await response.json()) as { access_token?: unknown }).access_token;
  if (typeof token !== 'string' || token === '')
    throw new Error('token endpoint answered without access_token');
  return token;
}

export async function runSmokeTest(options: SmokeOptions, fetchImpl: Fetch = fetch): Promise<SmokeCheck[]> {
  const base = options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`;
  const url = (path: string) => new URL(path.replace(/^\//, ''), base).toString();
  const signal = () => AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const headers = (token?: string): Record<string, string> => ({
    accept: 'application/json',
    ...(options.apiKey ? { 'x-api-key': options.apiKey } : {}),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  });
  const checks: SmokeCheck[] = [];
  const check = async (name: string, run: () => Promise<[boolean, string]>) => {
    try {
      const [ok, detail] = await run();
      checks.push({ name, ok, detail });
    } catch (e) {
      checks.push({ name, ok: false, detail: e instanceof Error ? e.message : String(e) });
    }
  };

  await check('public OpenAPI document', async () => {
    const r = await fetchImpl(url('/v1/openapi.json'), { headers: headers(), signal: signal() });
    if (r.status !== 200) return [false, `status ${r.status}, expected 200`];
    const doc = (await r.json()) as { openapi?: unknown; paths?: Record<string, unknown> };
    const ok =
      typeof doc.openapi === 'string' && doc.openapi.startsWith('3.') && '/v1/jobs' in (doc.paths ?? {});
    return [ok, ok ? 'status 200, OpenAPI 3 document' : 'status 200 but not the gateway OpenAPI document'];
  });
  const statusPath = `/v1/organisations/${encodeURIComponent(options.organisationId)}/status`;
  await check('read without a token is refused', async () => {
    const r = await fetchImpl(url(statusPath), { headers: headers(), signal: signal() });
    return [r.status === 401, `status ${r.status}, expected 401`];
  });
  await check('authenticated read of the organisation status', async () => {
    const token = await accessToken(options, fetchImpl);
    const r = await fetchImpl(url(statusPath), { headers: headers(token), signal: signal() });
    if (r.status !== 200) return [false, `status ${r.status}, expected 200`];
    const body = (await r.json()) as { organisationId?: unknown; configured?: unknown };
    if (body.organisationId !== options.organisationId)
      return [false, 'status 200 but another organisation answered'];
    if (body.configured !== true)
      return [false, 'status 200 but the organisation is not configured (registry, secret)'];
    return [true, 'status 200, organisation configured'];
  });
  return checks;
}

const main = async (): Promise<void> => {
  const options = smokeOptionsFromEnv(process.env);
  const checks = await runSmokeTest(options);
  for (const c of checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  const failed = checks.filter((c) => !c.ok).length;
  console.log(failed === 0 ? 'smoke test passed' : `smoke test failed: ${failed} of ${checks.length} checks`);
  process.exitCode = failed === 0 ? 0 : 1;
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  });
}
