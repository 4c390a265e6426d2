import { describe, expect, it } from 'vitest';
import { lazyTable, once } from '../../../shared/lrs/contract/lazy-table.js';
import { OPERATION_IDS } from '../../../shared/lrs/contract/operations.js';
import { learnerSchema, responseSchemas } from '../../../shared/lrs/contract/responses.js';
import { requestSchemas } from '../../../shared/lrs/contract/schemas.js';

describe('lazyTable', () => {
  it('builds an entry only when it is first read, once, and leaves the others unbuilt', () => {
    const built: string[] = [];
    const table = lazyTable({
      a: () => {
        built.push('a');
        return { n: 1 };
      },
      b: () => {
        built.push('b');
        return { n: 2 };
      },
    });
    expect(built).toEqual([]);
    const first = table.a;
    expect(first).toEqual({ n: 1 });
    expect(table.a).toBe(first);
    expect(built).toEqual(['a']);
    expect(built).not.toContain('b');
  });

  it('lists every key before any is built, and iterating builds each once', () => {
    let calls = 0;
    const table = lazyTable({ x: () => ++calls, y: () => ++calls });
    expect(Object.keys(table)).toEqual(['x', 'y']);
    expect('y' in table).toBe(true);
    expect(calls).toBe(0);
    expect(Object.values(table).sort()).toEqual([1, 2]);
    expect(Object.entries(table)).toEqual([
      ['x', 1],
      ['y', 2],
    ]);
    expect(calls).toBe(2);
  });

  it('keeps a built entry: it cannot be replaced afterwards', () => {
    const table = lazyTable({ x: () => 'kept' }) as Record<string, string>;
    expect(table.x).toBe('kept');
    expect(() => {
      table.x = 'other';
    }).toThrow(TypeError);
    expect(table.x).toBe('kept');
  });

  it('a builder that throws is not kept: the next read builds again', () => {
    let fail = true;
    const table = lazyTable({
      x: () => {
        if (fail) throw new Error('not yet');
        return 'ok';
      },
    });
    expect(() => table.x).toThrow('not yet');
    fail = false;
    expect(table.x).toBe('ok');
  });
});

describe('once', () => {
  it('builds on the first call only and hands out the same value after', () => {
    let calls = 0;
    const value = once(() => ({ n: ++calls }));
    expect(calls).toBe(0);
    const first = value();
    expect(value()).toBe(first);
    expect(calls).toBe(1);
  });
});

describe('request and answer schemas, built on first read', () => {
  it('lists all 17 operations and gives each the same schema on every read', () => {
    expect(Object.keys(requestSchemas).sort()).toEqual([...OPERATION_IDS].sort());
    for (const op of OPERATION_IDS) expect(requestSchemas[op]).toBe(requestSchemas[op]);
  });

  it('answer schemas: every operation, one schema for both finds, the one learner schema inside them', () => {
    expect(Object.keys(responseSchemas).sort()).toEqual([...OPERATION_IDS].sort());
    expect(responseSchemas.findLearnerByUln).toBe(responseSchemas.findLearnerByDemographics);
    expect(responseSchemas.findLearnerByUln.shape.learners.element).toBe(learnerSchema());
  });
});
