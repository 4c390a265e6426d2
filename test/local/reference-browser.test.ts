/**
 * The browsable reference in a real headless browser (Debian's chromium driven by playwright-core): the
 * local runtime serves /v1/docs without credentials, the page renders every route of openapi.json, loads
 * nothing from anywhere but itself, links to the catalogue (where every docUrl points), and a screenshot
 * is kept in .local/reference/ as a test artefact. `.ci/run` installs chromium when it is missing.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../support/local-stack.js';
import { openApiDocument } from '../support/openapi-answers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTEFACTS = join(import.meta.dirname, '..', '..', '.local', 'reference');
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let stack: LocalStack;
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  stack = await startLocalStack({ api: true, pollers: false });
  profile = mkdtempSync(join(tmpdir(), 'lrs-gateway-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 1000 },
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await stack?.stop();
});

describe('the API reference at /v1/docs', () => {
  it('renders every route of openapi.json, offline, and keeps a screenshot', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const res = await page.goto(`${stack.apiUrl}/v1/docs`, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    await page.waitForSelector('.opblock-summary', { timeout: 60_000 });

    const rendered = await page.$$eval('.opblock-summary', (blocks) =>
      blocks.map((b) => {
        const method = b.querySelector('.opblock-summary-method')?.textContent?.trim().toLowerCase() ?? '';
        const path = b.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
        return `${method} ${path}`;
      }),
    );
    const doc = openApiDocument() as ReturnType<typeof openApiDocument> & {
      webhooks?: Record<string, Record<string, unknown>>;
    };
    // Every route, and every webhook the API sends (rendered the same way).
    const documented = [...Object.entries(doc.paths), ...Object.entries(doc.webhooks ?? {})].flatMap(
      ([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`),
    );
    expect(documented.length).toBeGreaterThan(20);
    expect(rendered.sort()).toEqual(documented.sort());
    expect(await page.textContent('.info .title')).toContain('lrs-gateway');

    // One operation opened: its examples and the four snippets are on the page.
    await page.click('#operations-LearnerService-findLearnerByDemographics .opblock-summary');
    await page.waitForSelector('#operations-LearnerService-findLearnerByDemographics .opblock-body');
    const body = (await page.textContent('#operations-LearnerService-findLearnerByDemographics')) ?? '';
    for (const text of [
      'Authorization: Bearer',
      'createLrsGatewayClient',
      'HttpClient',
      'requests.post',
      'WSRC0004',
    ])
      expect(body, text).toContain(text);

    mkdirSync(ARTEFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTEFACTS, 'api-reference.png'), fullPage: false });
    expect(existsSync(join(ARTEFACTS, 'api-reference.png'))).toBe(true);
    expect(errors).toEqual([]);
    // Nothing but the page itself (the UI and the document are inlined).
    expect(
      requested.filter((u) => !u.startsWith(`${stack.apiUrl}/v1/docs`) && !u.startsWith('data:')),
    ).toEqual([]);
    await page.close();
  }, 120_000);

  it('links to the catalogue, where every docUrl lands on its entry', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.apiUrl}/v1/docs`);
    await page.click('.lrs-banner a');
    await page.waitForURL(`${stack.apiUrl}/v1/docs/errors`);
    for (const anchor of ['IDEMPOTENCY_KEY_IN_USE', 'LRS_UNAVAILABLE', 'outcome-POSSIBLE_MATCHES']) {
      await page.goto(`${stack.apiUrl}/v1/docs/errors#${anchor}`);
      expect(await page.locator(`[id="${anchor}"]`).count(), anchor).toBe(1);
    }
    expect(await page.textContent('[id="outcome-NOT_SHARED"]')).toContain('Ask the learner to share');
    await page.screenshot({ path: join(ARTEFACTS, 'catalogue.png') });
    await page.close();
  }, 60_000);
});
