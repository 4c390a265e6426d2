/**
 * LearnerService.svc: the ten learner-register operations, answered like the Java back end behind
 * the WCF façade (soapenv/ns2 prefixes, unqualified children, MIAPAPIException faults).
 */
import { authenticate, type Job, jobPhase, type OpResult, type SimState, SoapFailure } from './context.js';
import { ACTOR_SECURITY, ACTOR_SERVICE, miapFaultXml, miapTimestamp, SOAP_ENV } from './faults.js';
import { compareName, type DemographicQuery, matchFamily, matchGiven, normName } from './matching.js';
import type { AbilityToShare, Gender, LearnerRecord } from './model.js';
import { LEARNER_SERVICE_REQUESTS, validateComplex } from './schema.js';
import { SIMULATOR_ORGANISATIONS } from './seed.js';
import { isValidUln } from './uln.js';
import { child, childText, el, isNil, type WNode, writeXml, type XmlEl } from './xml.js';

const NS_LEARNER = 'http://api.lrs.miap.gov.uk/learner';

/** Display name of a seeded organisation by UKPRN, for the audit trail. */
const orgName = (ukprn: string): string =>
  SIMULATOR_ORGANISATIONS.find((o) => o.ukprn === ukprn)?.displayName ?? ukprn;
const orgRef = (ukprn: string): string =>
  SIMULATOR_ORGANISATIONS.find((o) => o.ukprn === ukprn)?.organisationRef ?? ukprn;

export const OPERATION_BY_ELEMENT: Readonly<Record<string, string>> = {
  FindLearnerByULN: 'learnerByULN',
  FindLearnerByDemographics: 'learnerByDemographics',
  RegisterLearner: 'registerSingleLearner',
  UpdateLearner: 'updateSingleLearner',
  SubmitBatch: 'submitBatchRegistration',
  GetSubmitBatchOutput: 'getBatchRegistrationOutput',
  SubmitVerifyBatch: 'submitVerifyBatch',
  GetVerifyBatchOutput: 'getVerifyBatchOutput',
  RetrieveULNs: 'retrieveULNs',
  VerifyLearner: 'verifyLearner',
};

const fault = (code: string, furtherDetails: string, actor?: string): never => {
  throw new SoapFailure(500, miapFaultXml({ code, furtherDetails, ...(actor ? { actor } : {}) }), code);
};

const envelope = (name: string, ns: string, children: (WNode | undefined | false)[]): string =>
  writeXml(
    el('soapenv:Envelope', [el('soapenv:Body', [el(`ns2:${name}`, children, { 'xmlns:ns2': ns })])], {
      'xmlns:soapenv': SOAP_ENV,
    }),
  );

/** Optional element: emitted only with a non-empty value (as the recorded responses do). */
const o = (name: string, v: string | undefined): WNode | undefined =>
  v === undefined || v === '' ? undefined : el(name, v);

/** The `Learner` complex type (learner.xsd sequence order). */
export const learnerNode = (l: LearnerRecord, substituted: boolean): WNode =>
  el('Learner', [
    el('CreatedDate', l.createdDate),
    el('LastUpdatedDate', l.lastUpdatedDate),
    el('ULN', l.uln),
    substituted ? el('MasterSubstituted', 'Y') : undefined,
    o('Title', l.title),
    el('GivenName', l.givenName),
    o('MiddleOtherName', l.middleOtherName),
    el('FamilyName', l.familyName),
    o('PreferredGivenName', l.preferredGivenName),
    o('PreviousFamilyName', l.previousFamilyName),
    o('FamilyNameAtAge16', l.familyNameAtAge16),
    o('SchoolAtAge16', l.schoolAtAge16),
    o('LastKnownAddressLine1', l.addressLine1),
    o('LastKnownAddressLine2', l.addressLine2),
    o('LastKnownAddressTown', l.addressTown),
    o('LastKnownAddressCountyOrCity', l.addressCountyOrCity),
    el('LastKnownPostCode', l.postcode),
    o('DateOfAddressCapture', l.dateOfAddressCapture),
    el('DateOfBirth', l.dateOfBirth),
    o('PlaceOfBirth', l.placeOfBirth),
    el('Gender', l.gender),
    o('EmailAddress', l.emailAddress),
    o('Nationality', l.nationality),
    o('ScottishCandidateNumber', l.scottishCandidateNumber),
    o('VerificationType', l.verificationType),
    o('OtherVerificationDescription', l.otherVerificationDescription),
    o('TierLevel', l.tierLevel),
    el('AbilityToShare', l.abilityToShare),
    el('LearnerStatus', l.learnerStatus),
    el(
      'LinkedULNs',
      l.linkedUlns.map((u) => el('ULN', u, { xmlns: '' })),
      { xmlns: NS_LEARNER },
    ),
    el('Notes', l.notes ?? ''),
    el('VersionNumber', String(l.versionNumber)),
  ]);

const text = (e: XmlEl | undefined, name: string): string | undefined => childText(e, name);
const req = (e: XmlEl | undefined, name: string): string => childText(e, name) ?? '';

const requireValidUln = (uln: string): void => {
  if (!isValidUln(uln)) fault('WSEC0136', `ULN '${uln}' fails the check digit validation.`, ACTOR_SERVICE);
};

type Handler = (
  body: XmlEl,
  state: SimState,
  org: string,
  userName: string,
) => { body: string; code: string };

// ----- find -------------------------------------------------------------------------------------

const learnerByDemographics: Handler = (body, state, org) => {
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
  const full = req(body, 'FindType') === 'FUL';
  return {
    code: result.code,
    body: envelope('FindLearnerResponse', 'http://api.lrs.miap.gov.uk/findmsg', [
      el('ResponseCode', result.code),
      el('FamilyName', q.familyName),
      el('GivenName', q.givenName),
      el('DateOfBirth', q.dateOfBirth),
      el('Gender', q.gender),
      el('LastKnownPostCode', q.postcode),
      o('PreviousFamilyName', text(body, 'PreviousFamilyName')),
      o('SchoolAtAge16', text(body, 'SchoolAtAge16')),
      o('PlaceOfBirth', text(body, 'PlaceOfBirth')),
      o('EmailAddress', text(body, 'EmailAddress')),
      ...(full ? result.learners.map((r) => learnerNode(r.learner, r.substituted)) : []),
    ]),
  };
};

const learnerByUln: Handler = (body, state, org, userName) => {
  const uln = req(body, 'ULN');
  const family = req(body, 'FamilyName');
  const given = req(body, 'GivenName');
  requireValidUln(uln);
  const found = state.register.get(uln);
  let code = 'WSRC0001';
  let learners: { learner: LearnerRecord; substituted: boolean }[] = [];
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
      state.register.audit(master, {
        action: 'Learner viewed (learnerByULN)',
        organisation: orgName(org),
        user: userName,
      });
    }
  }
  const full = req(body, 'FindType') === 'FUL';
  return {
    code,
    body: envelope('FindLearnerResponse', 'http://api.lrs.miap.gov.uk/findmsg', [
      el('ResponseCode', code),
      el('ULN', uln),
      el('FamilyName', family),
      el('GivenName', given),
      ...(full ? learners.map((r) => learnerNode(r.learner, r.substituted)) : []),
    ]),
  };
};

// ----- verify -----------------------------------------------------------------------------------

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

const verifyInputFrom = (e: XmlEl | undefined): VerifyInput => ({
  uln: req(e, 'ULN'),
  familyName: req(e, 'FamilyName'),
  givenName: req(e, 'GivenName'),
  dateOfBirth: text(e, 'DateOfBirth') || undefined,
  gender: text(e, 'Gender') || undefined,
});

const verifyLearner: Handler = (body, state) => {
  const v = verifyInputFrom(child(body, 'LearnerToVerify'));
  requireValidUln(v.uln);
  const r = verify(state, v);
  return {
    code: r.code,
    body: envelope('VerifyLearnerResponse', 'http://api.lrs.miap.gov.uk/reportmsg', [
      el('VerifiedLearner', verifiedLearnerChildren(v, r)),
    ]),
  };
};

// ----- retrieveULNs -----------------------------------------------------------------------------

const retrieveUlns: Handler = (body, state) => {
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
  return {
    code: 'OK',
    body: envelope('RetrieveULNsResponse', 'http://api.lrs.miap.gov.uk/reportmsg', [
      el('RetrievedULNs', items),
    ]),
  };
};

// ----- register / update ------------------------------------------------------------------------

const learnerFields = (l: XmlEl | undefined) => ({
  title: text(l, 'Title'),
  givenName: req(l, 'GivenName'),
  middleOtherName: text(l, 'MiddleOtherName'),
  familyName: req(l, 'FamilyName'),
  preferredGivenName: text(l, 'PreferredGivenName'),
  previousFamilyName: text(l, 'PreviousFamilyName'),
  familyNameAtAge16: text(l, 'FamilyNameAtAge16'),
  schoolAtAge16: text(l, 'SchoolAtAge16'),
  addressLine1: text(l, 'LastKnownAddressLine1'),
  addressLine2: text(l, 'LastKnownAddressLine2'),
  addressTown: text(l, 'LastKnownAddressTown'),
  addressCountyOrCity: text(l, 'LastKnownAddressCountyOrCity'),
  postcode: req(l, 'LastKnownPostCode'),
  dateOfAddressCapture: text(l, 'DateOfAddressCapture'),
  dateOfBirth: req(l, 'DateOfBirth'),
  placeOfBirth: text(l, 'PlaceOfBirth'),
  gender: req(l, 'Gender') as Gender,
  emailAddress: text(l, 'EmailAddress'),
  nationality: text(l, 'Nationality'),
  scottishCandidateNumber: text(l, 'ScottishCandidateNumber'),
  verificationType: req(l, 'VerificationType'),
  otherVerificationDescription: text(l, 'OtherVerificationDescription'),
  abilityToShare: req(l, 'AbilityToShare') as AbilityToShare,
  notes: text(l, 'Notes'),
});

const registerLearner: Handler = (body, state, org, userName) => {
  const fields = learnerFields(child(body, 'Learner'));
  const person = { ...fields };
  let code: string;
  let uln: string | undefined;
  if (state.register.duplicateOf(person)) code = 'WSRC0021';
  else if (!state.register.searchedRecently(org, person)) code = 'WSRC0021';
  else {
    const created = state.register.create({ ...fields, registeredByOrganisationRef: orgRef(org) });
    state.register.audit(created, {
      action: 'Learner registered',
      organisation: orgName(org),
      user: userName,
    });
    code = 'WSRC0005';
    uln = created.uln;
  }
  return {
    code,
    body: envelope('RegisterLearnerResponse', 'http://api.lrs.miap.gov.uk/regmsg', [
      el('ResponseCode', code),
      uln ? el('ULN', uln) : undefined,
    ]),
  };
};

const UPDATABLE = [
  'title',
  'givenName',
  'middleOtherName',
  'familyName',
  'preferredGivenName',
  'previousFamilyName',
  'familyNameAtAge16',
  'schoolAtAge16',
  'addressLine1',
  'addressLine2',
  'addressTown',
  'addressCountyOrCity',
  'postcode',
  'dateOfAddressCapture',
  'dateOfBirth',
  'placeOfBirth',
  'gender',
  'emailAddress',
  'nationality',
  'scottishCandidateNumber',
  'verificationType',
  'otherVerificationDescription',
  'abilityToShare',
  'notes',
] as const;

/** The WSRC0014 rule: once the fair processing notice was seen (1 or 2) it cannot go back to "not seen" (0). */
export const invalidAbilityToShareChange = (from: string, to: string): boolean => from !== '0' && to === '0';

const updateLearner: Handler = (body, state, org, userName) => {
  const l = child(body, 'Learner');
  const uln = req(l, 'ULN');
  const version = Number(req(l, 'VersionNumber'));
  requireValidUln(uln);
  const fields = learnerFields(l);
  const target = state.register.get(uln);
  let code: string;
  if (!target || target.masterUln) code = 'WSRC0019';
  else if (version !== target.versionNumber) code = 'WSRC0013';
  else if (invalidAbilityToShareChange(target.abilityToShare, fields.abilityToShare)) code = 'WSRC0014';
  else {
    const changes: Record<string, string | undefined> = {};
    for (const k of UPDATABLE) {
      const next = fields[k] === '' ? undefined : fields[k];
      const cur = target[k] === '' ? undefined : target[k];
      if ((next ?? '') !== (cur ?? '')) changes[k] = next;
    }
    if (Object.keys(changes).length === 0) code = 'WSRC0020';
    else {
      state.register.apply(target, changes as Partial<LearnerRecord>);
      state.register.audit(target, { action: 'Learner updated', organisation: orgName(org), user: userName });
      code = 'WSRC0006';
    }
  }
  return {
    code,
    body: envelope('UpdateLearnerResponse', 'http://api.lrs.miap.gov.uk/regmsg', [el('ResponseCode', code)]),
  };
};

// ----- batches ----------------------------------------------------------------------------------

type BatchLearnerInput = { fields: [string, string][] };
interface RegistrationJob {
  readonly kind: 'registration';
  readonly jobType: 'FUL' | 'CHK';
  readonly learners: BatchLearnerInput[];
}
interface RegistrationOutput {
  readonly learners: { fields: [string, string][]; returnCode: string }[];
  readonly counts: { created: number; exists: number; possible: number; notFound: number; rejected: number };
}
interface VerifyJob {
  readonly kind: 'verify';
  readonly learners: { misIdentifier?: string | undefined; v: VerifyInput }[];
}

const newJob = <I>(state: SimState, org: string, userName: string, input: I): Job<I, unknown> => {
  const now = Date.now();
  const id = String(state.nextJobId++);
  const job: Job<I, unknown> = {
    id,
    org,
    userName,
    submittedAt: now,
    startAt: now + Math.round(state.batchDurationMs * 0.2),
    finishAt: now + state.batchDurationMs,
    input,
  };
  state.jobs.set(id, job as Job<unknown, unknown>);
  return job;
};

const submitBatch: Handler = (body, state, org, userName) => {
  const learners = body.children.filter((c) => c.local === 'Learner' && c.ns === '');
  const count = Number(req(body, 'LearnerRecordCount'));
  if (count !== learners.length) {
    return {
      code: 'WSRC0017',
      body: envelope('SubmitBatchResponse', 'http://api.lrs.miap.gov.uk/batchmsg', [
        el('ResponseCode', 'WSRC0017'),
        el('JobID', '0'),
      ]),
    };
  }
  const job = newJob<RegistrationJob>(state, org, userName, {
    kind: 'registration',
    jobType: req(body, 'JobType') as 'FUL' | 'CHK',
    learners: learners.map((l) => ({ fields: l.children.map((c) => [c.local, isNil(c) ? '' : c.text]) })),
  });
  return {
    code: 'WSRC0007',
    body: envelope('SubmitBatchResponse', 'http://api.lrs.miap.gov.uk/batchmsg', [
      el('ResponseCode', 'WSRC0007'),
      el('JobID', String(job.id)),
    ]),
  };
};

/** Processes one batch registration learner; see README for the ReturnCode rules. */
const processBatchLearner = (
  state: SimState,
  job: Job<RegistrationJob, RegistrationOutput>,
  input: BatchLearnerInput,
): { fields: [string, string][]; returnCode: string; bucket: keyof RegistrationOutput['counts'] } => {
  const get = (n: string) => input.fields.find(([k]) => k === n)?.[1] ?? '';
  const fields = [...input.fields];
  const setUln = (uln: string) => {
    const i = fields.findIndex(([k]) => k === 'ULN');
    if (i >= 0) fields[i] = ['ULN', uln];
    else fields.unshift(['ULN', uln]);
  };
  const uln = get('ULN');
  if (uln) {
    if (!isValidUln(uln)) return { fields, returnCode: 'WSEC0136', bucket: 'rejected' };
    const found = state.register.get(uln);
    if (!found) return { fields, returnCode: 'WSRC0001', bucket: 'notFound' };
    const master = state.register.master(found);
    if (
      matchGiven(get('GivenName'), master) !== 'none' &&
      matchFamily(get('FamilyName'), master) !== 'none'
    ) {
      if (master !== found) setUln(master.uln);
      return { fields, returnCode: master !== found ? 'WSRC0022' : 'WSRC0004', bucket: 'exists' };
    }
    return { fields, returnCode: 'WSRC0001', bucket: 'notFound' };
  }
  const dob = get('DateOfBirth');
  const gender = get('Gender');
  const postcode = get('LastKnownPostCode');
  if (!dob || !gender || !postcode) return { fields, returnCode: 'WSRC0015', bucket: 'rejected' };
  const q: DemographicQuery = {
    givenName: get('GivenName'),
    familyName: get('FamilyName'),
    dateOfBirth: dob,
    gender: gender as Gender,
    postcode,
  };
  const r = state.register.searchDemographics(q);
  if (r.code === 'WSRC0004' || r.code === 'WSRC0022') {
    setUln(r.learners[0]?.learner.uln ?? '');
    return { fields, returnCode: r.code, bucket: 'exists' };
  }
  if (r.code === 'WSRC0003' || r.code === 'WSRC0002')
    return { fields, returnCode: r.code, bucket: 'possible' };
  if (job.input.jobType === 'CHK') return { fields, returnCode: 'WSRC0001', bucket: 'notFound' };
  const created = state.register.create({
    title: get('Title') || undefined,
    givenName: q.givenName,
    middleOtherName: get('MiddleOtherName') || undefined,
    familyName: q.familyName,
    preferredGivenName: get('PreferredGivenName') || undefined,
    previousFamilyName: get('PreviousFamilyName') || undefined,
    familyNameAtAge16: get('FamilyNameAtAge16') || undefined,
    schoolAtAge16: get('SchoolAtAge16') || undefined,
    addressLine1: get('LastKnownAddressLine1') || undefined,
    addressLine2: get('LastKnownAddressLine2') || undefined,
    addressTown: get('LastKnownAddressTown') || undefined,
    addressCountyOrCity: get('LastKnownAddressCountyOrCity') || undefined,
    postcode,
    dateOfAddressCapture: get('DateOfAddressCapture') || undefined,
    dateOfBirth: dob,
    placeOfBirth: get('PlaceOfBirth') || undefined,
    gender: gender as Gender,
    emailAddress: get('EmailAddress') || undefined,
    nationality: get('Nationality') || undefined,
    scottishCandidateNumber: get('ScottishCandidateNumber') || undefined,
    verificationType: get('VerificationType') || '0',
    otherVerificationDescription: get('OtherVerificationDescription') || undefined,
    abilityToShare: (get('AbilityToShare') || '0') as AbilityToShare,
    notes: get('Notes') || undefined,
    registeredByOrganisationRef: orgRef(job.org),
  });
  state.register.audit(created, {
    action: 'Learner registered (batch)',
    organisation: orgName(job.org),
    user: job.userName,
  });
  setUln(created.uln);
  return { fields, returnCode: 'WSRC0005', bucket: 'created' };
};

const completeRegistration = (
  state: SimState,
  job: Job<RegistrationJob, RegistrationOutput>,
): RegistrationOutput => {
  if (!job.output) {
    const counts = { created: 0, exists: 0, possible: 0, notFound: 0, rejected: 0 };
    const learners = job.input.learners.map((l) => {
      const r = processBatchLearner(state, job, l);
      counts[r.bucket]++;
      return { fields: r.fields, returnCode: r.returnCode };
    });
    job.output = { learners, counts };
  }
  return job.output;
};

/** Completes every finished job that has not been processed yet (called by a timer and on poll). */
export const completeDueJobs = (state: SimState): void => {
  const now = Date.now();
  for (const job of state.jobs.values()) {
    if (job.output || now < job.finishAt) continue;
    const input = job.input as { kind?: string };
    if (input.kind === 'registration')
      completeRegistration(state, job as Job<RegistrationJob, RegistrationOutput>);
    else if (input.kind === 'verify') completeVerify(state, job as Job<VerifyJob, VerifyOutcome[]>);
  }
};

const jobFor = <I extends { kind: string }>(state: SimState, body: XmlEl, org: string, kind: I['kind']) => {
  // xs:long, already validated: BigInt keeps every digit (Number would round ids above 2^53).
  const id = BigInt(req(body, 'JobID').trim()).toString();
  const job = state.jobs.get(id) as Job<I, unknown> | undefined;
  if (!job || job.org !== org || (job.input as { kind: string }).kind !== kind) return undefined;
  return job;
};

const dt = (ms: number) => miapTimestamp(new Date(ms));
const JOB_STATUS = { waiting: 'Submitted', running: 'Processing', done: 'Completed' } as const;

const getBatchOutput: Handler = (body, state, org) => {
  const job = jobFor<RegistrationJob>(state, body, org, 'registration');
  const ns = 'http://api.lrs.miap.gov.uk/batchmsg';
  // JobStartedDateTime and JobFinishedDateTime are mandatory in BatchOutputResp (legacy XSD): a time
  // not reached yet is given as the submission time, and for an unknown job as the time of the answer.
  if (!job) {
    const now = dt(Date.now());
    return {
      code: 'WSRC0018',
      body: envelope('GetSubmitBatchOutputResponse', ns, [
        el('ResponseCode', 'WSRC0018'),
        el('JobStartedDateTime', now),
        el('JobFinishedDateTime', now),
      ]),
    };
  }
  const phase = jobPhase(job);
  if (phase !== 'done') {
    return {
      code: 'WSRC0008',
      body: envelope('GetSubmitBatchOutputResponse', ns, [
        el('ResponseCode', 'WSRC0008'),
        el('JobStatus', JOB_STATUS[phase]),
        el('JobStartedDateTime', dt(phase === 'running' ? job.startAt : job.submittedAt)),
        el('JobFinishedDateTime', dt(job.submittedAt)),
      ]),
    };
  }
  const out = completeRegistration(state, job as Job<RegistrationJob, RegistrationOutput>);
  const failed = out.learners.length > 0 && out.counts.rejected === out.learners.length;
  const code = failed ? 'WSRC0010' : 'WSRC0009';
  return {
    code,
    body: envelope('GetSubmitBatchOutputResponse', ns, [
      el('ResponseCode', code),
      el('JobStatus', failed ? 'Failed' : 'Completed'),
      el('NewLearnersCount', String(out.counts.created)),
      el('ExistsUpdatedLearnersCount', String(out.counts.exists)),
      el('PossibleMatchLearnersCount', String(out.counts.possible)),
      el('LearnersNotFoundCount', String(out.counts.notFound)),
      el('RejectedLearnersCount', String(out.counts.rejected)),
      el('JobStartedDateTime', dt(job.startAt)),
      el('JobFinishedDateTime', dt(job.finishAt)),
      ...out.learners.map((l) =>
        el('Learner', [...l.fields.map(([k, v]) => el(k, v)), el('ReturnCode', l.returnCode)]),
      ),
    ]),
  };
};

const submitVerifyBatch: Handler = (body, state, org, userName) => {
  const learners = body.children.filter((c) => c.local === 'Learner' && c.ns === '');
  const count = Number(req(body, 'LearnerRecordCount'));
  const ns = 'http://api.lrs.miap.gov.uk/vldmsg';
  if (count !== learners.length) {
    return {
      code: 'WSRC0017',
      body: envelope('SubmitVerifyBatchResponse', ns, [el('ResponseCode', 'WSRC0017'), el('JobID', '0')]),
    };
  }
  const job = newJob<VerifyJob>(state, org, userName, {
    kind: 'verify',
    learners: learners.map((l) => ({ misIdentifier: text(l, 'MISIdentifier'), v: verifyInputFrom(l) })),
  });
  return {
    code: 'WSRC0007',
    body: envelope('SubmitVerifyBatchResponse', ns, [
      el('ResponseCode', 'WSRC0007'),
      el('JobID', String(job.id)),
    ]),
  };
};

const completeVerify = (state: SimState, job: Job<VerifyJob, VerifyOutcome[]>): VerifyOutcome[] => {
  job.output ??= job.input.learners.map((l) => verify(state, l.v));
  return job.output;
};

const getVerifyBatchOutput: Handler = (body, state, org) => {
  const job = jobFor<VerifyJob>(state, body, org, 'verify');
  const ns = 'http://api.lrs.miap.gov.uk/vldmsg';
  if (!job)
    return {
      code: 'WSRC0018',
      body: envelope('GetVerifyBatchOutputResponse', ns, [el('ResponseCode', 'WSRC0018')]),
    };
  const phase = jobPhase(job);
  if (phase !== 'done') {
    return {
      code: 'WSRC0008',
      body: envelope('GetVerifyBatchOutputResponse', ns, [
        el('ResponseCode', 'WSRC0008'),
        el('JobStatus', JOB_STATUS[phase]),
        phase === 'running' ? el('JobStartedDateTime', dt(job.startAt)) : undefined,
      ]),
    };
  }
  const typed = job as Job<VerifyJob, VerifyOutcome[]>;
  const out = completeVerify(state, typed);
  return {
    code: 'WSRC0009',
    body: envelope('GetVerifyBatchOutputResponse', ns, [
      el('ResponseCode', 'WSRC0009'),
      el('JobStatus', 'Completed'),
      el('JobStartedDateTime', dt(job.startAt)),
      el('JobFinishedDateTime', dt(job.finishAt)),
      ...typed.input.learners.map((l, i) =>
        el('VerifiedLearner', [
          o('MISIdentifier', l.misIdentifier),
          ...verifiedLearnerChildren(l.v, out[i] ?? { code: 'WSVRC006', flags: [] }),
        ]),
      ),
    ]),
  };
};

const HANDLERS: Readonly<Record<string, Handler>> = {
  learnerByULN: learnerByUln,
  learnerByDemographics,
  registerSingleLearner: registerLearner,
  updateSingleLearner: updateLearner,
  submitBatchRegistration: submitBatch,
  getBatchRegistrationOutput: getBatchOutput,
  submitVerifyBatch,
  getVerifyBatchOutput,
  retrieveULNs: retrieveUlns,
  verifyLearner,
};

/** Answers one LearnerService request whose body element is `body`. */
export const handleLearnerService = (body: XmlEl, state: SimState): OpResult => {
  const def = LEARNER_SERVICE_REQUESTS[body.local];
  const operation = OPERATION_BY_ELEMENT[body.local];
  if (!def || !operation || def.ns !== body.ns) {
    const code = 'WSEC0002';
    return {
      status: 500,
      operation: 'unknown',
      code,
      body: miapFaultXml({
        code,
        furtherDetails: `cvc-elt.1: Cannot find the declaration of element '${body.raw}'.`,
      }),
    };
  }
  try {
    const invalid = validateComplex(body, def.type);
    if (invalid) fault('WSEC0001', invalid.message);
    const auth = authenticate(
      { ukprn: text(body, 'UKPRN'), orgRef: text(body, 'OrganisationRef') },
      text(body, 'OrgPassword'),
      operation,
    );
    if ('problem' in auth) {
      fault(
        auth.problem,
        `Organisation credentials were not accepted for operation ${operation}.`,
        ACTOR_SECURITY,
      );
      throw new Error('unreachable');
    }
    completeDueJobs(state);
    const handler = HANDLERS[operation] as Handler;
    const r = handler(body, state, auth.org.ukprn, req(body, 'UserName'));
    return { status: 200, operation, code: r.code, body: r.body };
  } catch (e) {
    if (e instanceof SoapFailure) return { status: e.status, operation, code: e.code, body: e.body };
    throw e;
  }
};
