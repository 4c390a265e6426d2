/**
 * The simulator's matching rules (the real algorithm is not public; these are documented in
 * simulator/README.md): names compared case- and punctuation-insensitively, postcodes without
 * spaces, preferred given name and given-name parts count as the given name, previous family name and
 * family name at 16 count as the family name, "similar" = edit distance, prefix or Soundex.
 */
import type { Gender, LearnerRecord } from './model.js';

export const normName = (s: string | undefined): string => (s ?? '').toUpperCase().replace(/[^A-Z]/g, '');
export const normPostcode = (s: string | undefined): string => (s ?? '').toUpperCase().replace(/\s+/g, '');

const levenshtein = (a: string, b: string): number => {
  if (a === b) return 0;
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] as number;
};

const SOUNDEX: Record<string, string> = {
  B: '1',
  F: '1',
  P: '1',
  V: '1',
  C: '2',
  G: '2',
  J: '2',
  K: '2',
  Q: '2',
  S: '2',
  X: '2',
  Z: '2',
  D: '3',
  T: '3',
  L: '4',
  M: '5',
  N: '5',
  R: '6',
};
export const soundex = (n: string): string => {
  if (!n) return '';
  let out = n[0] as string;
  let last = SOUNDEX[out] ?? '';
  for (const c of n.slice(1)) {
    const code = SOUNDEX[c] ?? '';
    if (code && code !== last) out += code;
    if (c !== 'H' && c !== 'W') last = code;
  }
  return `${out}000`.slice(0, 4);
};

export type NameMatch = 'exact' | 'similar' | 'none';

/** Compares one normalised name with one normalised candidate. */
export const compareName = (a: string, b: string): NameMatch => {
  if (!a || !b) return 'none';
  if (a === b) return 'exact';
  const longest = Math.max(a.length, b.length);
  if (levenshtein(a, b) <= (longest >= 6 ? 2 : 1)) return 'similar';
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length >= 3 && long.startsWith(short)) return 'similar';
  if (soundex(a) === soundex(b)) return 'similar';
  return 'none';
};

const best = (a: string, cands: readonly string[]): NameMatch => {
  let r: NameMatch = 'none';
  for (const c of cands) {
    const m = compareName(a, c);
    if (m === 'exact') return 'exact';
    if (m === 'similar') r = 'similar';
  }
  return r;
};

export const givenCandidates = (l: LearnerRecord): string[] => {
  const out = new Set([normName(l.givenName), normName(l.preferredGivenName)]);
  for (const part of l.givenName.split(/[\s-]+/)) out.add(normName(part));
  out.delete('');
  return [...out];
};
export const familyCandidates = (l: LearnerRecord): string[] => {
  const out = new Set([
    normName(l.familyName),
    normName(l.previousFamilyName),
    normName(l.familyNameAtAge16),
  ]);
  out.delete('');
  return [...out];
};

export const matchGiven = (given: string, l: LearnerRecord): NameMatch =>
  best(normName(given), givenCandidates(l));
export const matchFamily = (family: string, l: LearnerRecord): NameMatch =>
  best(normName(family), familyCandidates(l));

/** Dates that count as "close" to a date of birth: day and month swapped, or one part off by one. */
export const closeDates = (dob: string): string[] => {
  const [y, m, d] = dob.split('-').map(Number) as [number, number, number];
  const out = new Set<string>();
  const add = (yy: number, mm: number, dd: number) => {
    if (mm < 1 || mm > 12 || dd < 1 || dd > 31) return;
    const dt = new Date(Date.UTC(yy, mm - 1, dd));
    if (dt.getUTCMonth() !== mm - 1) return;
    out.add(`${yy}-${String(mm).padStart(2, '0')}-${String(dd).padStart(2, '0')}`);
  };
  add(y, d, m);
  add(y + 1, m, d);
  add(y - 1, m, d);
  add(y, m + 1, d);
  add(y, m - 1, d);
  add(y, m, d + 1);
  add(y, m, d - 1);
  out.delete(dob);
  return [...out];
};

export interface DemographicQuery {
  readonly givenName: string;
  readonly familyName: string;
  readonly dateOfBirth: string;
  readonly gender: Gender;
  readonly postcode: string;
  readonly previousFamilyName?: string;
}

export type Grade = 'exact' | 'possible' | 'none';

const softGender = (g: string) => g === '0' || g === '9';

/** Grades one record against a demographic search. */
export const gradeDemographics = (q: DemographicQuery, l: LearnerRecord): Grade => {
  let family = matchFamily(q.familyName, l);
  if (family !== 'exact' && q.previousFamilyName) {
    const prev = matchFamily(q.previousFamilyName, l);
    if (prev !== 'none') family = 'similar';
  }
  const given = matchGiven(q.givenName, l);
  if (family === 'none' || given === 'none') return 'none';
  const dobExact = q.dateOfBirth === l.dateOfBirth;
  if (!dobExact && !closeDates(q.dateOfBirth).includes(l.dateOfBirth)) return 'none';
  const genderEqual = q.gender === l.gender;
  if (!genderEqual && !softGender(q.gender) && !softGender(l.gender)) return 'none';
  const postcodeEqual = normPostcode(q.postcode) === normPostcode(l.postcode);
  if (family === 'exact' && given === 'exact' && dobExact && genderEqual && postcodeEqual) return 'exact';
  return 'possible';
};

/** True when the names (and DOB/gender when given) identify the learner, for PLR access. */
export const namesIdentify = (
  l: LearnerRecord,
  givenName: string,
  familyName: string,
  dateOfBirth?: string,
  gender?: string,
): boolean => {
  if (matchGiven(givenName, l) !== 'exact' || matchFamily(familyName, l) !== 'exact') return false;
  if (dateOfBirth && dateOfBirth !== l.dateOfBirth) return false;
  if (gender && !softGender(gender) && !softGender(l.gender) && gender !== l.gender) return false;
  return true;
};
