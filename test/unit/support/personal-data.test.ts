/** The probe behind the suite-wide log guard finds a leaked postcode, and not one spelled by a random id. */
import { describe, expect, it } from 'vitest';
import { personalDataIn } from '../../support/output.js';

const learner = {
  givenName: 'Harriet',
  familyName: 'Testname',
  dateOfBirth: '1976-08-16',
  postcode: 'B7 6DE',
};

describe('personalDataIn', () => {
  it('finds a postcode written with or without its space, in any case, inside a log line', () => {
    for (const line of ['{"postcode":"B7 6DE"}', '{"p":"b76de"}', 'postcode B76DE.']) {
      expect(personalDataIn(line, [learner]), line).toEqual(['postcode of H.']);
    }
  });

  it('does not take the hex of a request id for a postcode', () => {
    expect(personalDataIn('{"requestId":"9f1b76de-03aa-4c1e-8b76-de12ab34cd56"}', [learner])).toEqual([]);
  });

  it('finds the names and the date of birth', () => {
    expect(personalDataIn('Harriet Testname 1976-08-16', [learner])).toEqual([
      'givenName of H.',
      'familyName of H.',
      'dateOfBirth of H.',
    ]);
  });
});
