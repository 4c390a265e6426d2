/**
 * Request bodies a caller sends for a seeded simulator learner (simulator/seed.ts `notableLearner`):
 * the find-by-ULN body, the learner fields of a register (also of a new learner) or update, and an
 * achievement. Each test states only what it changes.
 */
/** What the bodies take of a seeded learner. */
export interface Learner {
  readonly uln: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly dateOfBirth: string;
  readonly gender: string;
  readonly postcode: string;
}

/** findLearnerByUln with the full match type. */
export const findByUlnBody = (l: Learner) => ({
  findType: 'FUL',
  uln: l.uln,
  familyName: l.familyName,
  givenName: l.givenName,
});

/** The learner of registerLearner, for a seeded learner or a new one (add `uln` and `versionNumber` for updateLearner). */
export const learnerFields = (l: Omit<Learner, 'uln'>) => ({
  givenName: l.givenName,
  familyName: l.familyName,
  dateOfBirth: l.dateOfBirth,
  gender: l.gender,
  lastKnownPostCode: l.postcode,
  verificationType: '1',
  abilityToShare: '1',
});

/** The learner of updateLearner at `versionNumber`. */
export const updateLearnerFields = (l: Learner, versionNumber: number) => ({
  uln: l.uln,
  versionNumber,
  ...learnerFields(l),
});

/** One achievement of submitAchievementBatch for the learner (grade A, a known provider). */
export const achievementFor = (l: Learner, overrides: Record<string, unknown> = {}) => ({
  achievementAwardDate: '2025-07-01',
  action: 1,
  actionDate: '2025-07-02',
  familyName: l.familyName,
  givenName: l.givenName,
  grade: 'A',
  providerUkprn: '10030488',
  uln: l.uln,
  unitOrQualificationReferenceNumber: '500/4606/8',
  ...overrides,
});
