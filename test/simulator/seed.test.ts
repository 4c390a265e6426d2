import { describe, expect, it } from 'vitest';
import { closeDates, compareName, soundex } from '../../simulator/matching.js';
import { createPrng } from '../../simulator/prng.js';
import { generateRegister, SIMULATOR_ORGANISATIONS, verifiableLearners } from '../../simulator/seed.js';
import { isValidUln, makeUln } from '../../simulator/uln.js';
import { RECORDED_ULNS } from '../support/reference.js';

describe('ULN check digit', () => {
  it.each([
    ['9276308686', true],
    ['1000000043', true],
    ['1000000000', true],
    ['1000000063', false],
    ['1234567890', false],
    ['1234567899', true],
    ['9999999999', false],
    ['100000004', false],
    ['0123456789', false],
  ])('%s → %s', (uln, valid) => {
    expect(isValidUln(uln)).toBe(valid);
  });
  it('accepts every ULN of the recorded LRS messages', () => {
    for (const u of RECORDED_ULNS) {
      expect(isValidUln(u), u).toBe(true);
    }
  });
  it('makes only valid ULNs', () => {
    const rng = createPrng(7);
    for (let i = 0; i < 2000; i++) expect(isValidUln(makeUln(rng.int))).toBe(true);
  });
});

describe('seeded register', () => {
  const reg = generateRegister();
  it('is deterministic for a seed and different for another seed', () => {
    const again = generateRegister();
    expect(again.learners.map((l) => `${l.uln}|${l.givenName}|${l.familyName}|${l.dateOfBirth}`)).toEqual(
      reg.learners.map((l) => `${l.uln}|${l.givenName}|${l.familyName}|${l.dateOfBirth}`),
    );
    const other = generateRegister(42);
    expect(other.learners.slice(50, 60).map((l) => l.uln)).not.toEqual(
      reg.learners.slice(50, 60).map((l) => l.uln),
    );
  });
  it('has a few thousand learners with unique, check-digit-valid ULNs', () => {
    expect(reg.learners.length).toBeGreaterThan(3000);
    expect(new Set(reg.learners.map((l) => l.uln)).size).toBe(reg.learners.length);
    expect(reg.learners.every((l) => isValidUln(l.uln))).toBe(true);
  });
  it('links masters and linked ULNs both ways', () => {
    const byUln = new Map(reg.learners.map((l) => [l.uln, l]));
    const masters = reg.learners.filter((l) => l.linkedUlns.length > 0);
    expect(masters.length).toBeGreaterThanOrEqual(20);
    expect(masters.some((m) => m.linkedUlns.length > 1)).toBe(true);
    for (const m of masters) {
      expect(m.masterUln).toBeUndefined();
      for (const u of m.linkedUlns) expect(byUln.get(u)?.masterUln).toBe(m.uln);
    }
  });
  it('includes learners who do not share, and learning events from ILR, NPD and AO', () => {
    expect(reg.learners.filter((l) => l.abilityToShare === '2').length).toBeGreaterThan(50);
    const sources = new Set(reg.learners.flatMap((l) => l.events.map((e) => e.source)));
    expect([...sources].sort()).toEqual(['AO', 'ILR', 'NPD']);
  });
  it('offers 1,000 distinct verifiable learners', () => {
    const v = verifiableLearners(1000);
    expect(new Set(v.map((l) => l.uln)).size).toBe(1000);
    expect(new Set(v.map((l) => `${l.givenName}|${l.familyName}|${l.dateOfBirth}`)).size).toBe(1000);
  });
  it('has organisations with 16-character passwords, including one with look-up access only', () => {
    for (const o of SIMULATOR_ORGANISATIONS) {
      expect(o.orgPassword).toHaveLength(16);
      expect(o.ukprn).toMatch(/^[0-9a-zA-Z]{8}$/);
      expect(o.organisationRef).toMatch(/^[0-9a-zA-Z]{6}$/);
    }
    expect(SIMULATOR_ORGANISATIONS.some((o) => o.access === 'find-only')).toBe(true);
    expect(SIMULATOR_ORGANISATIONS.some((o) => !o.awardingOrganisation)).toBe(true);
  });
});

describe('matching rules', () => {
  it('compares names exactly, similarly (edit distance, prefix, Soundex) or not at all', () => {
    expect(compareName('JONATHAN', 'JONATHAN')).toBe('exact');
    expect(compareName('JONATHAN', 'JONATHON')).toBe('similar');
    expect(compareName('JON', 'JONATHAN')).toBe('similar');
    expect(compareName('ROBERT', 'RUPERT')).toBe('similar');
    expect(compareName('ANN', 'ZEBEDEE')).toBe('none');
    expect(soundex('ROBERT')).toBe('R163');
  });
  it('treats day/month swaps and one-off parts of a date of birth as close', () => {
    expect(closeDates('2001-03-04')).toEqual(
      expect.arrayContaining(['2001-04-03', '2002-03-04', '2001-03-05']),
    );
    expect(closeDates('2001-02-28')).not.toContain('2001-02-29');
  });
});
