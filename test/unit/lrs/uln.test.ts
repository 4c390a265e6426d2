import { describe, expect, it } from 'vitest';
import { isValidUln } from '../../../shared/lrs/contract/schemas.js';
import { ulnCheckDigit } from '../../../shared/lrs/contract/uln.js';
import { RECORDED_ULNS } from '../../support/reference.js';

describe('ULN check digit (worked examples)', () => {
  it.each([
    ['9276308686', true, 'HESA worked example'],
    ['1000000043', true, 'ESFA-DC: checksum 7, check digit 3'],
    ['1000000063', false, 'ESFA-DC: remainder 0 is invalid'],
    ['100000004', false, 'ESFA-DC: 9 digits'],
    ['1234567890', false, 'computed: expected check digit 9'],
    ['1234567899', true, 'computed'],
    ['1000000000', true, 'computed: r = 10, check digit 0'],
    ['9999999999', false, 'ILR temporary ULN: not an LRS ULN'],
  ])('%s → %s (%s)', (uln, valid) => {
    expect(isValidUln(uln)).toBe(valid);
  });

  it.each(RECORDED_ULNS)('recorded LRS ULN %s passes', (uln) => {
    expect(isValidUln(uln)).toBe(true);
  });

  it.each(['0123456789', '12345678901', '12345abcde', '', ' 1026893096', '1026893096 '])(
    '%j fails the form',
    (uln) => {
      expect(isValidUln(uln)).toBe(false);
    },
  );

  it('computes the check digit from the weighted sum (S mod 11)', () => {
    expect(ulnCheckDigit('927630868')).toBe(6);
    expect(ulnCheckDigit('100000006')).toBeUndefined();
  });

  it('about 1 in 11 ten-digit numbers passes, and a one-digit change always fails', () => {
    let valid = 0;
    for (let n = 1_000_000_000; n < 1_000_011_000; n++) if (isValidUln(String(n))) valid++;
    expect(valid).toBeGreaterThan(900);
    expect(valid).toBeLessThan(1100);
    const good = '1026893096';
    for (let i = 0; i < 10; i++) {
      for (let d = 0; d <= 9; d++) {
        const changed = good.slice(0, i) + String(d) + good.slice(i + 1);
        if (changed !== good) expect(isValidUln(changed)).toBe(false);
      }
    }
  });
});
