/** ULN check digit (weights 10..2 over the first nine digits, remainder 0 invalid, d10 = 10 - r). */

export const ULN_PATTERN = /^[1-9][0-9]{9}$/;

/** The check digit for nine leading digits, or undefined when no check digit exists (remainder 0). */
export const ulnCheckDigit = (first9: string): number | undefined => {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (10 - i) * Number(first9[i]);
  const r = sum % 11;
  return r === 0 ? undefined : 10 - r;
};

export const isValidUln = (uln: string): boolean => {
  if (!ULN_PATTERN.test(uln)) return false;
  const d = ulnCheckDigit(uln.slice(0, 9));
  return d !== undefined && d === Number(uln[9]);
};

/** Makes a valid ULN from a number source: draws nine digits until a check digit exists. */
export const makeUln = (nextInt: (maxExclusive: number) => number): string => {
  for (;;) {
    const first9 = String(1 + nextInt(9)) + String(nextInt(100_000_000)).padStart(8, '0');
    const d = ulnCheckDigit(first9);
    if (d !== undefined && d < 10) return first9 + String(d);
  }
};
