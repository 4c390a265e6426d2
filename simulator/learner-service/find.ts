/** The LearnerService look-ups: learnerByDemographics, learnerByULN and retrieveULNs. */
import { type DemographicQuery, matchFamily, matchGiven } from '../matching.js';
import type { Gender, LearnerRecord } from '../model.js';
import { isValidUln } from '../uln.js';
import { child, el, type WNode, type XmlEl } from '../xml.js';
import {
  answer,
  auditBy,
  envelope,
  type Handler,
  learnerNode,
  MSG,
  o,
  req,
  requireValidUln,
  text,
} from './common.js';

type Found = { learner: LearnerRecord; substituted: boolean };

/** FindLearnerResponse: the outcome, the searched fields echoed, and the learners when FindType is FUL. */
const findResponse = (body: XmlEl, code: string, echoed: (WNode | undefined)[], found: Found[]) =>
  answer('FindLearnerResponse', MSG.find, code, [
    ...echoed,
    ...(req(body, 'FindType') === 'FUL' ? found.map((r) => learnerNode(r.learner, r.substituted)) : []),
  ]);

export const learnerByDemographics: Handler = (body, state, org) => {
  const q: DemographicQuery = {
    givenName: req(body, 'GivenName'),
    familyName: req(body, 'FamilyName'),
    dateOfBirth: req(body, 'DateOfBirth'),
    gender: req(body, 'Gender') as Gender,
    postcode: req(body, 'LastKnownPostCode'),
    ...(text(body, 'PreviousFamilyName')
      ? { previousFamilyName: text(body, 'PreviousFamilyName') as string }
      : {}),
  };
  const result = state.register.searchDemographics(q);
  state.register.recordSearch(org, q, result.code);
  const echoed = [
    el('FamilyName', q.familyName),
    el('GivenName', q.givenName),
    el('DateOfBirth', q.dateOfBirth),
    el('Gender', q.gender),
    el('LastKnownPostCode', q.postcode),
    ...['PreviousFamilyName', 'SchoolAtAge16', 'PlaceOfBirth', 'EmailAddress'].map((n) =>
      o(n, text(body, n)),
    ),
  ];
  return findResponse(body, result.code, echoed, result.learners);
};

export const learnerByUln: Handler = (body, state, org, userName) => {
  const uln = req(body, 'ULN');
  const family = req(body, 'FamilyName');
  const given = req(body, 'GivenName');
  requireValidUln(uln);
  const found = state.register.get(uln);
  let code = 'WSRC0001';
  let learners: Found[] = [];
  if (found) {
    const master = state.register.master(found);
    const substituted = master !== found;
    const g = [matchGiven(given, found), matchGiven(given, master)];
    const f = [matchFamily(family, found), matchFamily(family, master)];
    const exact = (g[0] === 'exact' && f[0] === 'exact') || (g[1] === 'exact' && f[1] === 'exact');
    const similar = g.some((x) => x !== 'none') && f.some((x) => x !== 'none');
    if (exact) code = substituted ? 'WSRC0022' : 'WSRC0004';
    else if (similar) code = 'WSRC0003';
    if (code !== 'WSRC0001') {
      learners = [{ learner: master, substituted }];
      auditBy(state, master, 'Learner viewed (learnerByULN)', org, userName);
    }
  }
  return findResponse(
    body,
    code,
    [el('ULN', uln), el('FamilyName', family), el('GivenName', given)],
    learners,
  );
};

export const retrieveUlns: Handler = (body, state) => {
  const ulns = (child(body, 'ULNsToRetrieve')?.children ?? []).map((c) => c.text);
  const items = ulns.map((uln) => {
    if (!isValidUln(uln)) return el('VerifiedULN', [el('ULN', uln), el('ResponseCode', 'WSEC0136')]);
    const found = state.register.get(uln);
    if (!found) return el('VerifiedULN', [el('ULN', uln), el('ResponseCode', 'WSRC0001')]);
    const master = state.register.master(found);
    const linked = master !== found;
    return el('VerifiedULN', [
      el('ULN', uln),
      linked ? el('MasterULN', master.uln) : undefined,
      el('ResponseCode', linked ? 'WSRC0022' : 'WSRC0004'),
      el('FamilyName', master.familyName),
      el('GivenName', master.givenName),
      el('DateOfBirth', master.dateOfBirth),
      el('Gender', master.gender),
    ]);
  });
  return { code: 'OK', body: envelope('RetrieveULNsResponse', MSG.report, [el('RetrievedULNs', items)]) };
};
