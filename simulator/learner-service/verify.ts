/** verifyLearner and its rules (WSVRC001–006, failure flags VRF1–8), shared with the verification batch. */
import type { SimState } from '../context.js';
import { compareName, normName } from '../matching.js';
import type { LearnerRecord } from '../model.js';
import { isValidUln } from '../uln.js';
import { child, el, type WNode, type XmlEl } from '../xml.js';
import { envelope, type Handler, MSG, o, req, requireValidUln, text } from './common.js';

export interface VerifyInput {
  readonly uln: string;
  readonly familyName: string;
  readonly givenName: string;
  readonly dateOfBirth?: string | undefined;
  readonly gender?: string | undefined;
}

export interface VerifyOutcome {
  readonly code: string;
  readonly learner?: LearnerRecord;
  readonly flags: string[];
}

const soft = (g: string | undefined) => g === '0' || g === '9';

/** verifyLearner rules (WSVRC001–006, VRF1–8), see README. */
export const verify = (state: SimState, v: VerifyInput): VerifyOutcome => {
  if (!isValidUln(v.uln)) return { code: 'WSEC0136', flags: [] };
  const found = state.register.get(v.uln);
  if (!found) return { code: 'WSVRC006', flags: [] };
  const master = state.register.master(found);
  const linked = master !== found;
  const g = normName(v.givenName);
  const f = normName(v.familyName);
  const lrsGiven = [normName(master.givenName), normName(master.preferredGivenName)].filter(Boolean);
  const lrsFamily = normName(master.familyName);
  const lrsPrev = normName(master.previousFamilyName);
  const cmp = (a: string, bs: string[]) => {
    let r: 'exact' | 'similar' | 'none' = 'none';
    for (const b of bs) {
      const m = compareName(a, b);
      if (m === 'exact') return 'exact';
      if (m === 'similar') r = 'similar';
    }
    return r;
  };
  const flags: string[] = [];
  const givenVsGiven = cmp(g, lrsGiven);
  const familyVsFamily = cmp(f, [lrsFamily]);
  if (givenVsGiven !== 'exact') flags.push('VRF1');
  if (givenVsGiven !== 'exact' && cmp(g, [lrsFamily]) !== 'exact') flags.push('VRF2');
  if (givenVsGiven !== 'exact' && lrsPrev && cmp(g, [lrsPrev]) !== 'exact') flags.push('VRF3');
  if (familyVsFamily !== 'exact' && cmp(f, lrsGiven) !== 'exact') flags.push('VRF4');
  if (familyVsFamily !== 'exact') flags.push('VRF5');
  if (familyVsFamily !== 'exact' && lrsPrev && cmp(f, [lrsPrev]) !== 'exact') flags.push('VRF6');
  const dobMismatch = Boolean(v.dateOfBirth) && v.dateOfBirth !== master.dateOfBirth;
  if (dobMismatch) flags.push('VRF7');
  const genderMismatch =
    Boolean(v.gender) && !soft(v.gender) && !soft(master.gender) && v.gender !== master.gender;
  if (genderMismatch) flags.push('VRF8');
  if (flags.length === 0) return { code: linked ? 'WSVRC002' : 'WSVRC001', learner: master, flags };
  const swapped = cmp(g, [lrsFamily]) === 'exact' && cmp(f, lrsGiven) === 'exact';
  const givenOk = givenVsGiven !== 'none';
  const familyOk = familyVsFamily !== 'none' || (lrsPrev !== '' && cmp(f, [lrsPrev]) !== 'none');
  if (!dobMismatch && !genderMismatch && (swapped || (givenOk && familyOk))) {
    // Similar: report only the direct comparisons that failed.
    const similarFlags = flags.filter((x) =>
      swapped ? x === 'VRF1' || x === 'VRF5' : !['VRF2', 'VRF4'].includes(x),
    );
    return { code: linked ? 'WSVRC004' : 'WSVRC003', learner: master, flags: similarFlags };
  }
  return { code: 'WSVRC005', flags };
};

/** The MIAPVerifiedLearner children (shared by verifyLearner and the verify batch output). */
export const verifiedLearnerChildren = (v: VerifyInput, r: VerifyOutcome): (WNode | undefined)[] => {
  const show = r.learner && r.code !== 'WSVRC005';
  return [
    el('SearchedULN', v.uln),
    el('SearchedFamilyName', v.familyName),
    el('SearchedGivenName', v.givenName),
    o('SearchedDateOfBirth', v.dateOfBirth),
    o('SearchedGender', v.gender),
    el('ResponseCode', r.code),
    show ? el('ULN', r.learner?.uln ?? '') : undefined,
    show ? el('FamilyName', r.learner?.familyName ?? '') : undefined,
    show ? el('GivenName', r.learner?.givenName ?? '') : undefined,
    show ? el('DateOfBirth', r.learner?.dateOfBirth ?? '') : undefined,
    show ? el('Gender', r.learner?.gender ?? '') : undefined,
    ...r.flags.map((f) => el('FailureFlag', f)),
  ];
};

export const verifyInputFrom = (e: XmlEl | undefined): VerifyInput => ({
  uln: req(e, 'ULN'),
  familyName: req(e, 'FamilyName'),
  givenName: req(e, 'GivenName'),
  dateOfBirth: text(e, 'DateOfBirth') || undefined,
  gender: text(e, 'Gender') || undefined,
});

export const verifyLearner: Handler = (body, state) => {
  const v = verifyInputFrom(child(body, 'LearnerToVerify'));
  requireValidUln(v.uln);
  const r = verify(state, v);
  return {
    code: r.code,
    body: envelope('VerifyLearnerResponse', MSG.report, [
      el('VerifiedLearner', verifiedLearnerChildren(v, r)),
    ]),
  };
};
