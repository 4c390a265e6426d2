/**
 * Everything written to stdout and stderr while a test runs (where the Powertools logger and the EMF
 * metrics go), and a probe for learner personal data in it: no log line may carry a name, a date of
 * birth or a postcode.
 */
/**
 * Everything written to stdout and stderr while installed (the logger and EMF metrics write there).
 * Kept out of the test output unless SHOW_LOGS is set.
 */
export const captureOutput = () => {
  const forward = Boolean(process.env.SHOW_LOGS);
  const lines: string[] = [];
  const originals = { out: process.stdout.write, err: process.stderr.write };
  const tap =
    (original: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      if (forward) return (original as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    };
  process.stdout.write = tap(originals.out) as typeof process.stdout.write;
  process.stderr.write = tap(originals.err) as typeof process.stderr.write;
  return {
    lines,
    text: () => lines.join(''),
    restore: () => {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
};

export interface PersonalData {
  readonly givenName: string;
  readonly familyName: string;
  readonly dateOfBirth: string;
  readonly postcode: string;
}

/** Each value of a learner's personal data found in `text` (names as whole words, postcodes with or without the space). */
export const personalDataIn = (text: string, learners: readonly PersonalData[]): string[] => {
  const found: string[] = [];
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const l of learners) {
    const postcode = l.postcode.replace(/\s+/g, '');
    const probes: Array<[string, RegExp]> = [
      ['givenName', new RegExp(`\\b${esc(l.givenName)}\\b`)],
      ['familyName', new RegExp(`\\b${esc(l.familyName)}\\b`)],
      ['dateOfBirth', new RegExp(esc(l.dateOfBirth))],
      // Not inside a longer run of letters and digits: a random id (a UUID's hex) can spell "b76de".
      [
        'postcode',
        new RegExp(
          `(?<![A-Za-z0-9])${esc(postcode.slice(0, -3))}\\s*${esc(postcode.slice(-3))}(?![A-Za-z0-9])`,
          'i',
        ),
      ],
    ];
    for (const [what, re] of probes) if (re.test(text)) found.push(`${what} of ${l.givenName.slice(0, 1)}.`);
  }
  return found;
};
