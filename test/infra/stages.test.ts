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

describe('stageConfigProblems', () => {
  it('accepts every shipped stage', () => {
    for (const name of STAGE_NAMES) expect(stageConfigProblems(STAGES[name])).toEqual([]);
  });

  it.each([
    [{ lrsEndpoint: 'http://ws.lrs.education.gov.uk' }, 'lrsEndpoint'],
    [{ lrsEndpoint: 'https://ws.lrs.education.gov.uk/' }, 'lrsEndpoint'],
    [{ dataTtlDays: 0 }, 'dataTtlDays'],
    [{ lrsServiceHours: ' ' }, 'lrsServiceHours'],
    [{ logRetentionDays: 10 as 14 }, 'logRetentionDays'],
    [{ functionMemoryMb: 64 }, 'functionMemoryMb'],
    [{ organisations: [] }, 'organisations'],
    [{ organisations: ['1234'] }, 'organisations[0]'],
    [{ organisations: ['10000000', '10000000'] }, 'organisations[1]'],
    [{ callers: [] }, 'callers'],
    [
      { callers: [{ name: 'Bad Name', organisations: ['*'], rateLimit: 1, burstLimit: 1 }] },
      'callers[0].name',
    ],
    [
      { callers: [{ name: 'mis', organisations: ['99999999'], rateLimit: 1, burstLimit: 1 }] },
      'callers[0].organisations',
    ],
    [
      { callers: [{ name: 'mis', organisations: ['*'], rateLimit: 1000, burstLimit: 1 }] },
      'callers[0].rateLimit',
    ],
    [{ alarms: { certificateExpiryDays: 0, errorThreshold: 1 } }, 'alarms.certificateExpiryDays'],
    [{ alarms: { certificateExpiryDays: 30, errorThreshold: 1, email: 'nobody' } }, 'alarms.email'],
  ] as [Partial<StageConfig>, string][])('rejects %j naming %s', (change, field) => {
    const problems = stageConfigProblems({ ...STAGES.live, ...change });
    expect(problems.some((p) => p.startsWith(`stages.live.${field}:`))).toBe(true);
  });
});
