/**
 * ULN (Unique Learner Number) check: 10 digits, first digit 1-9, and the check digit rule:
 * S = 10·d1 + 9·d2 + … + 2·d9, r = S mod 11; r = 0 is invalid, otherwise d10 must equal 10 − r.
 * The ILR "temporary ULN" 9999999999 fails this rule on purpose: it is not an LRS ULN.
 */

export const ULN_PATTERN = /^[1-9][0-9]{9}$/;

/** The expected check digit for the first nine digits, or undefined when no digit can be valid (r = 0). */
export const ulnCheckDigit = (firstNine: string): number | undefined => {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (10 - i) * (firstNine.charCodeAt(i) - 48);
  const r = sum % 11;
  return r === 0 ? undefined : 10 - r;
};

/** True when the string has the ULN form and its check digit is right. */
export const isValidUln = (uln: string): boolean => {
  if (typeof uln !== 'string' || !ULN_PATTERN.test(uln)) return false;
  return ulnCheckDigit(uln.slice(0, 9)) === uln.charCodeAt(9) - 48;
};
