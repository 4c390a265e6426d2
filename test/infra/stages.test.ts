/** Stage selection and stage records are checked before anything is synthesized. */
import { describe, expect, it } from 'vitest';
import {
  resolveStage,
  STAGE_NAMES,
  STAGES,
  type StageConfig,
  stageConfigProblems,
} from '../../infra/config/stages.js';

describe('resolveStage', () => {
  it('returns the record of each known stage', () => {
    for (const name of STAGE_NAMES) expect(resolveStage(name).name).toBe(name);
  });

  it('points test and live at the LRS environments', () => {
    expect(STAGES.test.lrsEndpoint).toBe('https://cmp-ws.dev.lrs.education.gov.uk');
    expect(STAGES.live.lrsEndpoint).toBe('https://ws.lrs.education.gov.uk');
  });

  it('fails on a missing stage, saying how to pass one and listing the valid ones', () => {
    expect(() => resolveStage(undefined)).toThrow(/-c stage=<name>.*dev, test, live/);
    expect(() => resolveStage('')).toThrow(/dev, test, live/);
  });

  it('fails on an unknown stage, listing the valid ones', () => {
    expect(() => resolveStage('prod')).toThrow('Unknown stage "prod": valid stages are dev, test, live');
  });

  it('fails on an invalid record, naming every bad field', () => {
    const broken: StageConfig = { ...STAGES.live, retainData: false, lrsMaxConcurrency: 1 };
    expect(() => resolveStage('live', { ...STAGES, live: broken })).toThrow(
      /stages\.live\.lrsMaxConcurrency: .*2 to 1000[\s\S]*stages\.live\.retainData: must be true on live/,
    );
  });
});

/** Microsoft Entra ID as the token issuer (the documented alternative to the stage's Cognito pool). */
const ENTRA = {
  kind: 'oidc',
  issuer: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
  audience: ['api://lrs-gateway-live'],
  jwksUri: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/discovery/v2.0/keys',
} as const;

describe('stageConfigProblems', () => {
  it('accepts every shipped stage', () => {
    for (const name of STAGE_NAMES) expect(stageConfigProblems(STAGES[name])).toEqual([]);
  });

  it('lists no organisation and no caller: both are run-time data in the registry', () => {
    for (const name of STAGE_NAMES) {
      expect(Object.keys(STAGES[name])).not.toContain('organisations');
      expect(Object.keys(STAGES[name])).not.toContain('callers');
    }
  });

  it('accepts Microsoft Entra ID (or any OIDC issuer) instead of Cognito, and caller and reader role ARNs', () => {
    expect(
      stageConfigProblems({
        ...STAGES.live,
        auth: ENTRA,
        queueSenderArns: ['arn:aws:iam::210987654321:role/college-mis-sender'],
        secretReaderArns: [
          'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_LrsOperator_*',
        ],
      }),
    ).toEqual([]);
  });

  it('names the field and the rule, never the value', () => {
    const problems = stageConfigProblems({
      ...STAGES.live,
      auth: { ...ENTRA, issuer: 'http://secret-tenant.example' },
      queueSenderArns: ['not-an-arn-xyz'],
    });
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).not.toMatch(/secret-tenant|not-an-arn-xyz/);
  });

  it.each([
    [{ lrsEndpoint: 'http://ws.lrs.education.gov.uk' }, 'lrsEndpoint'],
    [{ lrsEndpoint: 'https://ws.lrs.education.gov.uk/' }, 'lrsEndpoint'],
    [{ dataTtlDays: 0 }, 'dataTtlDays'],
    [{ lrsServiceHours: ' ' }, 'lrsServiceHours'],
    [{ logRetentionDays: 10 as 14 }, 'logRetentionDays'],
    [{ functionMemoryMb: 64 }, 'functionMemoryMb'],
    [{ usageTiers: [] }, 'usageTiers'],
    [{ usageTiers: [{ name: 'Bad Name', rateLimit: 1, burstLimit: 1 }] }, 'usageTiers[0].name'],
    [
      {
        usageTiers: [
          { name: 'a', rateLimit: 1, burstLimit: 1 },
          { name: 'a', rateLimit: 1, burstLimit: 1 },
        ],
      },
      'usageTiers[1].name',
    ],
    [{ usageTiers: [{ name: 'a', rateLimit: 1000, burstLimit: 1 }] }, 'usageTiers[0].rateLimit'],
    [{ usageTiers: [{ name: 'a', rateLimit: 1, burstLimit: 0 }] }, 'usageTiers[0]'],
    [{ usageTiers: [{ name: 'a', rateLimit: 1, burstLimit: 1, dailyQuota: 0 }] }, 'usageTiers[0].dailyQuota'],
    [{ auth: { kind: 'cognito', domainPrefix: '-bad' } }, 'auth.domainPrefix'],
    [{ auth: { kind: 'cognito', domainPrefix: 'my-cognito-pool' } }, 'auth.domainPrefix'],
    [{ auth: { ...ENTRA, issuer: 'http://login.microsoftonline.com/t/v2.0' } }, 'auth.issuer'],
    [{ auth: { ...ENTRA, jwksUri: 'keys.json' } }, 'auth.jwksUri'],
    [{ auth: { ...ENTRA, audience: [] } }, 'auth.audience'],
    [{ auth: { ...ENTRA, audience: ['a,b'] } }, 'auth.audience[0]'],
    [{ auth: { kind: 'saml' } as unknown as StageConfig['auth'] }, 'auth.kind'],
    [{ queueSenderArns: ['college-mis'] }, 'queueSenderArns[0]'],
    [{ queueSenderArns: ['arn:aws:iam::*:role/x'] }, 'queueSenderArns[0]'],
    [{ secretReaderArns: ['arn:aws:iam::123456789012:role/*'] }, 'secretReaderArns[0]'],
    [{ alarms: { certificateExpiryDays: 0, errorThreshold: 1 } }, 'alarms.certificateExpiryDays'],
    [{ alarms: { certificateExpiryDays: 30, errorThreshold: 1, email: 'nobody' } }, 'alarms.email'],
  ] as [Partial<StageConfig>, string][])('rejects %j naming %s', (change, field) => {
    const problems = stageConfigProblems({ ...STAGES.live, ...change });
    expect(problems.some((p) => p.startsWith(`stages.live.${field}:`))).toBe(true);
  });
});
