/**
 * The simulator's seeded organisations and learner register. Deterministic: the bulk of the
 * register comes from a seeded PRNG, and a few scenario learners reproduce the recorded LRS test
 * learners (the MoJ fixtures) so that a request shaped like those recordings gets the recorded outcome.
 * The notable learners a developer can use are listed in simulator/README.md. The parts live in
 * seed/: organisations.ts, vocabulary.ts (word lists), builders.ts (generators), register.ts.
 */
import type { AbilityToShare } from './model.js';
import {
  generateRegister,
  type NotableKey,
  type NotableLearner,
  notableOf,
  type SeededRegister,
} from './seed/register.js';

export { isoDate, randomPostcode } from './seed/builders.js';
export {
  DEFAULT_ORGANISATION,
  DIRECTORY_ORGANISATIONS,
  type OrganisationAccess,
  SIMULATOR_ORGANISATIONS,
  type SimulatorOrganisation,
} from './seed/organisations.js';
export {
  BULK_LEARNER_COUNT,
  DEFAULT_SEED,
  generateRegister,
  type NotableKey,
  type NotableLearner,
  type SeededRegister,
} from './seed/register.js';

let cached: SeededRegister | undefined;
const defaultRegister = (): SeededRegister => {
  cached ??= generateRegister();
  return cached;
};

/** The notable learners of the default seed (the table in simulator/README.md). */
export const notableLearners = (): readonly NotableLearner[] => defaultRegister().notable;

/** A notable learner of the default seed by key (see README). Throws on an unknown key. */
export const notableLearner = (key: NotableKey): NotableLearner => {
  const n = defaultRegister().notable.find((x) => x.key === key);
  if (!n) throw new Error(`no notable learner '${key}'`);
  return n;
};

/** `count` distinct plain learners of the default seed that verify (WSVRC001) and find exactly. */
export const verifiableLearners = (count = 1000): readonly NotableLearner[] => {
  const v = defaultRegister().verifiable;
  if (count > v.length) throw new Error(`only ${v.length} verifiable learners are seeded`);
  return v.slice(0, count).map((l) => notableOf(`bulk-${l.uln}`, l, 'plain learner'));
};

export type { AbilityToShare };
