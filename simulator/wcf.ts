/**
 * LearnerServiceR9.svc and ExternalService.svc: native WCF services (s/a/i prefixes, DataContract
 * members base-first then alphabetical, i:nil for null members, EmitDefaultValue=false members
 * omitted), DomainFault for business faults, WCF dispatcher faults for malformed messages.
 */
import { authenticate, type Job, jobPhase, type OpResult, type SimState, SoapFailure } from './context.js';
import { domainFaultXml, SOAP_ENV, WCF_DISPATCHER_NS, wcfFaultXml } from './faults.js';
import { invalidAbilityToShareChange } from './learner-service.js';
import { namesIdentify } from './matching.js';
import type { LearnerRecord, LearningEvent } from './model.js';
import { type ComplexType, validateComplex, WCF_REQUESTS } from './schema.js';
import { DIRECTORY_ORGANISATIONS, SIMULATOR_ORGANISATIONS } from './seed.js';
import { isValidUln } from './uln.js';
import { child, childText, el, type WNode, writeXml, type XmlEl } from './xml.js';

const NS_MODEL = 'http://api.lrs.qcf.gov.uk/model';
const NS_TEMPURI = 'http://tempuri.org/';
const NS_SERVICES = 'http://api.lrs.qcf.gov.uk/services';
const NS_XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const NS_MIAP_MODEL = 'http://schemas.datacontract.org/2004/07/Amor.Qcf.MIAPModel';
const NS_ARRAYS = 'http://schemas.microsoft.com/2003/10/Serialization/Arrays';

export const R9_OPERATIONS = [
  'GetLearnerLearningEvents',
  'LearnerByUln',
  'UpdateLearnerSubsetFields',
  'ViewAudit',
  'GetOrganisation',
];
export const EXTERNAL_OPERATIONS = ['SubmitAchievementBatchJob', 'GetAchievementBatchJob'];

const wrapped = (service: 'r9' | 'external', op: string, result: WNode): string =>
  writeXml(
    el(
      's:Envelope',
      [el('s:Body', [el(`${op}Response`, [result], { xmlns: service === 'r9' ? NS_TEMPURI : NS_SERVICES })])],
      {
        'xmlns:s': SOAP_ENV,
      },
    ),
  );
const result = (op: string, children: (WNode | undefined)[]): WNode =>
  el(`${op}Result`, children, { 'xmlns:a': NS_MODEL, 'xmlns:i': NS_XSI });

/** A nillable DataContract member: i:nil when null. */
const m = (prefix: string, name: string, v: string | undefined | null): WNode =>
  v === undefined || v === null
    ? el(`${prefix}:${name}`, [], { 'i:nil': 'true' })
    : el(`${prefix}:${name}`, v);
/** An EmitDefaultValue=false member: omitted when null. */
const e = (prefix: string, name: string, v: string | undefined): WNode | undefined =>
  v === undefined ? undefined : el(`${prefix}:${name}`, v);

const domainFault = (code: string, message?: string): never => {
  throw new SoapFailure(500, domainFaultXml(code, message), code);
};

const txt = (parent: XmlEl | undefined, name: string, ns: string): string | undefined =>
  childText(parent, name, ns);

// ----- GetLearnerLearningEvents ----------------------------------------------------------------

export const learningEventNode = (ev: LearningEvent): WNode =>
  el('a:LearningEvent', [
    m('a', 'AchievementAwardDate', ev.achievementAwardDate),
    e('a', 'AchievementProviderName', ev.achievementProviderName),
    m('a', 'AchievementProviderUkprn', ev.achievementProviderUkprn),
    e('a', 'AwardingOrganisationName', ev.awardingOrganisationName),
    e('a', 'AwardingOrganisationUkprn', ev.awardingOrganisationUkprn),
    e('a', 'CollectionType', ev.collectionType),
    el('a:Credits', String(ev.credits)),
    e('a', 'DateLoaded', ev.dateLoaded),
    m('a', 'Grade', ev.grade),
    el('a:ID', String(ev.id)),
    e('a', 'LanguageForAssessment', ev.languageForAssessment),
    m('a', 'Level', ev.level),
    e('a', 'ParticipationEndDate', ev.participationEndDate),
    e('a', 'ParticipationStartDate', ev.participationStartDate),
    e('a', 'QualificationType', ev.qualificationType),
    e('a', 'Restriction', ev.restriction),
    e('a', 'ReturnNumber', ev.returnNumber),
    m('a', 'Source', ev.source),
    e('a', 'Status', ev.status),
    m('a', 'Subject', ev.subject),
    m('a', 'SubjectCode', ev.subjectCode),
    e('a', 'UnderDataChallenge', ev.underDataChallenge),
  ]);

type R9Handler = (
  body: XmlEl,
  state: SimState,
  org: { ukprn: string; displayName: string; userName: string },
) => {
  result: WNode;
  code: string;
};

const getLearnerLearningEvents: R9Handler = (body, state, org) => {
  const T = NS_TEMPURI;
  const uln = (txt(body, 'uln', T) ?? '').trim();
  const given = txt(body, 'givenName', T) ?? '';
  const family = txt(body, 'familyName', T) ?? '';
  const dob = (txt(body, 'dateOfBirth', T) ?? '').trim();
  const gender = (txt(body, 'gender', T) ?? '').trim();
  const getType = (txt(body, 'getType', T) ?? '').trim().toUpperCase();
  if (getType !== 'FULL' && getType !== 'BRIEF') domainFault('WSEC0001', `Invalid getType '${getType}'.`);
  const userType = (txt(body, 'userType', T) ?? '').trim();
  if (!['LNR', 'ORG', 'SER'].includes(userType)) domainFault('WSEC0001', `Invalid userType '${userType}'.`);
  const out = (code: string, found: string, events: LearningEvent[]) => ({
    code,
    result: result('GetLearnerLearningEvents', [
      el('a:ResponseCode', code),
      el('a:FoundULN', found),
      el('a:IncomingULN', uln),
      el('a:LearnerRecord', events.map(learningEventNode)),
    ]),
  });
  if (!isValidUln(uln)) return out('WSEC0136', '', []);
  const found = state.register.get(uln);
  if (!found) return out('WSEC0208', '', []);
  const master = state.register.master(found);
  const identified =
    namesIdentify(found, given, family, dob || undefined, gender || undefined) ||
    namesIdentify(master, given, family, dob || undefined, gender || undefined);
  if (!identified) return out('WSEC0208', '', []);
  state.register.audit(master, {
    action: 'Learning events viewed',
    organisation: org.displayName,
    user: org.userName,
  });
  if (master.abilityToShare === '2') return out('WSEC0206', master.uln, []);
  const events = [...master.events, ...master.linkedUlns.flatMap((u) => state.register.get(u)?.events ?? [])];
  return out(master !== found ? 'WSRC0022' : 'WSRC0004', master.uln, bySource(events));
};

/** The recorded answers list ILR events, then NPD, then AO (and any other source after); stable within each. */
const SOURCE_ORDER: Readonly<Record<string, number>> = { ILR: 0, NPD: 1, AO: 2 };
const bySource = (events: readonly LearningEvent[]): LearningEvent[] =>
  events
    .map((e, i) => ({ e, i, rank: SOURCE_ORDER[e.source] ?? 3 }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((x) => x.e);

// ----- LearnerByUln ------------------------------------------------------------------------------

const dateTime = (d: string | undefined) => (d ? `${d}T00:00:00` : undefined);
const upper = (s: string | undefined) => (s ? s.toUpperCase() : undefined);

export const miapModelLearner = (l: LearnerRecord, master: LearnerRecord | undefined): WNode => {
  const b = (name: string, v: string | undefined | null) => m('b', name, v);
  return el(
    'a:Learner',
    [
      b('AbilityToShare', l.abilityToShare),
      b('AtsLearnerPreference', null),
      b('BirthDateVerification', '0'),
      b('CountryOfAddress', null),
      b('CountryOfBirth', null),
      b('CountryOfDomicle', null),
      b('CountryOfLastKnownAddress', null),
      b('CreatedDate', dateTime(l.createdDate)),
      b('CreatedViaChannel', '3'),
      b('DateOfAddressCapture', dateTime(l.dateOfAddressCapture)),
      b('DateOfBirth', dateTime(l.dateOfBirth)),
      b('DateOfDeath', null),
      b('DeathDateVerification', '0'),
      b('Deceased', '0'),
      b('DeceasedDate', null),
      b('DisabilityCode', '0'),
      b('EmailAddress', l.emailAddress),
      b('EthnicityCode', null),
      b('EthnicityVerification', '0'),
      b('EtlLoadId', null),
      b('FamilyName', l.familyName),
      b('FamilyNameAt16', l.familyNameAtAge16),
      b('FamilyNameFirst', null),
      b('FirstEstablismentId', '0'),
      b('Gender', l.gender),
      b('GivenName', l.givenName),
      b('InReceiptOfDsa', '0'),
      b('Initials', null),
      b('LastCompiledLearnerPlanReport', null),
      b('LastCompiledLearnerRecordReport', null),
      b('LastKnownAddressChanged', 'false'),
      b('LastKnownAddressCountyOrCity', l.addressCountyOrCity),
      b('LastKnownAddressLine1', l.addressLine1),
      b('LastKnownAddressLine2', l.addressLine2),
      b('LastKnownAddressQualififer', '0'),
      b('LastKnownAddressTown', l.addressTown),
      b('LastKnownGender', l.gender),
      b('LastKnownPostCode', l.postcode),
      b('LastUpdatedAction', null),
      b('LastUpdatedDate', dateTime(l.lastUpdatedDate)),
      b('LastUpdatedLrbUsername', null),
      b('LastUpdatedLrsUsername', null),
      b('LastUpdatedSearchKey', null),
      b('LastUpdatedViaChannel', '3'),
      b('LearningDifficultyCode', '0'),
      el(
        'b:LinkedUlns',
        l.linkedUlns.map((u) => el('c:string', u)),
        { 'xmlns:c': NS_ARRAYS },
      ),
      b('ManualUpdate', 'false'),
      b('MaritalStatus', '0'),
      b('MaritalStatusVerification', '0'),
      b('MasterUln', master && master !== l ? master.uln : null),
      b('MiddleOtherName', l.middleOtherName),
      b('NameSuffix', null),
      b('NationalInsuranceNumber', null),
      b('Nationality', l.nationality),
      b('NextDataChallengeNo', null),
      b('NormalisedFamilyName', upper(l.familyName)),
      b('NormalisedGivenName', upper(l.givenName)),
      b('NormalisedOtherNames', upper(l.middleOtherName)),
      b('NormalisedPerferredGivenName', upper(l.preferredGivenName)),
      b('NormalisedPreviousFamilyName', upper(l.previousFamilyName)),
      b('Notes', l.notes ?? null),
      b('OtherVerificationDescription', l.otherVerificationDescription),
      b('PlaceOfBirth', l.placeOfBirth),
      b('PotentialDuplicateSearchKey', null),
      b('PreferredFamilyFirstNameFirst', null),
      b('PreferredFamilyName', null),
      b('PreferredGivenName', l.preferredGivenName),
      b('PreviousFamilyName', l.previousFamilyName),
      b('ReasonForDeletion', null),
      b('RecordStatus', '1'),
      b('ReferenceNumber', null),
      b('RegisteredByOrganisationRef', l.registeredByOrganisationRef),
      b('RestrictedUse', null),
      b('SchoolAtAge16', l.schoolAtAge16),
      b('ScottishCandidateNumber', l.scottishCandidateNumber),
      b('SecretQuestionId', null),
      b('SecurityAnswer', null),
      b('SenType', '0'),
      b('SequentialVersionNumber', String(l.versionNumber)),
      b('TelephoneNumber', l.telephoneNumber),
      b('TierLevel', l.tierLevel ?? '0'),
      b('Title', l.title),
      b('Uln', l.uln),
      b('UniqueCandidateIdentifier', null),
      b('UniquePupilNumber', null),
      b('VerificationType', l.verificationType ?? '0'),
      b('VersionNumber', String(l.versionNumber)),
    ],
    { 'xmlns:b': NS_MIAP_MODEL },
  );
};

const learnerByUln: R9Handler = (body, state, org) => {
  const T = NS_TEMPURI;
  const uln = (txt(body, 'uln', T) ?? '').trim();
  const given = txt(body, 'givenName', T) ?? '';
  const family = txt(body, 'familyName', T) ?? '';
  const out = (code: string, learner?: WNode) => ({
    code,
    result: result('LearnerByUln', [
      el('a:ResponseCode', code),
      m('a', 'FamilyName', family),
      m('a', 'GivenName', given),
      learner,
      m('a', 'Uln', uln),
    ]),
  });
  if (!isValidUln(uln)) return out('WSEC0136');
  const found = state.register.get(uln);
  if (!found) return out('WSRC0001');
  const master = state.register.master(found);
  if (!namesIdentify(found, given, family) && !namesIdentify(master, given, family)) return out('WSRC0001');
  state.register.audit(master, {
    action: 'Learner viewed',
    organisation: org.displayName,
    user: org.userName,
  });
  return out(master !== found ? 'WSRC0022' : 'WSRC0004', miapModelLearner(master, master));
};

// ----- UpdateLearnerSubsetFields -------------------------------------------------------------------

const ATS = { NotProvided: undefined, FPNNotSeen: '0', FPNSeenShareData: '1' } as const;

const updateLearnerSubsetFields: R9Handler = (body, state, org) => {
  const T = NS_TEMPURI;
  const uln = (txt(body, 'uln', T) ?? '').trim();
  const version = Number(txt(body, 'versionNumber', T));
  const ats = ATS[(txt(body, 'abilityToShare', T) ?? 'NotProvided') as keyof typeof ATS];
  const out = (code: string) => ({ code, result: el('UpdateLearnerSubsetFieldsResult', code) });
  if (!isValidUln(uln)) return out('WSEC0136');
  const l = state.register.get(uln);
  if (!l || l.masterUln) return out('WSRC0019');
  if (version !== l.versionNumber) return out('WSRC0013');
  if (ats !== undefined && invalidAbilityToShareChange(l.abilityToShare, ats)) return out('WSRC0014');
  const changes: Partial<LearnerRecord> = {};
  const maybe = (
    key: 'emailAddress' | 'telephoneNumber' | 'schoolAtAge16' | 'preferredGivenName',
    param: string,
  ) => {
    const v = txt(body, param, T);
    if (v !== undefined && v !== (l[key] ?? '')) changes[key] = v;
  };
  maybe('emailAddress', 'emailAddress');
  maybe('telephoneNumber', 'telephoneNumber');
  maybe('schoolAtAge16', 'schoolAtAge16');
  maybe('preferredGivenName', 'preferredGivenName');
  if (ats !== undefined && ats !== l.abilityToShare) changes.abilityToShare = ats;
  if (Object.keys(changes).length === 0) return out('WSRC0020');
  state.register.apply(l, changes);
  state.register.audit(l, {
    action: 'Learner updated (subset fields)',
    organisation: org.displayName,
    user: org.userName,
  });
  return out('WSRC0006');
};

// ----- ViewAudit ------------------------------------------------------------------------------------

export const AUDIT_PAGE_SIZE = 10;

const viewAudit: R9Handler = (body, state) => {
  const T = NS_TEMPURI;
  const uln = (txt(body, 'learnerUln', T) ?? '').trim();
  const given = txt(body, 'learnerGivenName', T) ?? '';
  const family = txt(body, 'learnerFamilyName', T) ?? '';
  const page = Math.max(1, Number(txt(body, 'page', T)));
  const l = isValidUln(uln) ? state.register.get(uln) : undefined;
  const master = l ? state.register.master(l) : undefined;
  const entries =
    l && master && (namesIdentify(l, given, family) || namesIdentify(master, given, family))
      ? [...master.audit].reverse()
      : [];
  const slice = entries.slice((page - 1) * AUDIT_PAGE_SIZE, page * AUDIT_PAGE_SIZE);
  return {
    code: entries.length > 0 ? 'OK' : 'EMPTY',
    result: result('ViewAudit', [
      el(
        'a:List',
        slice.map((x) =>
          el('a:PlrAccessEntryResponse', [
            m('a', 'Action', x.action),
            el('a:DateTime', x.dateTime),
            m('a', 'Organisation', x.organisation),
            m('a', 'User', x.user),
          ]),
        ),
      ),
      el('a:PageCount', String(Math.ceil(entries.length / AUDIT_PAGE_SIZE))),
      el('a:PageIndex', String(page)),
      el('a:PageSize', String(AUDIT_PAGE_SIZE)),
      el('a:SortIndex', '0'),
      el('a:SortOrder', '0'),
      el('a:TotalItems', String(entries.length)),
    ]),
  };
};

// ----- GetOrganisation -------------------------------------------------------------------------------

const getOrganisation: R9Handler = (body) => {
  const T = NS_TEMPURI;
  const ukprn = (txt(body, 'ukPrn', T) ?? '').trim().toUpperCase();
  const orgRef = (txt(body, 'orgRef', T) ?? '').trim().toUpperCase();
  const all = [
    ...SIMULATOR_ORGANISATIONS.map((o) => ({
      ukprn: o.ukprn,
      orgRef: o.organisationRef,
      displayName: o.displayName,
      status: 'Active',
    })),
    ...DIRECTORY_ORGANISATIONS,
  ];
  const found = all.find(
    (o) =>
      (ukprn && o.ukprn.toUpperCase() === ukprn) || (!ukprn && orgRef && o.orgRef.toUpperCase() === orgRef),
  );
  const code = found ? 'WSRC0004' : 'WSRC0001';
  return {
    code,
    result: result('GetOrganisation', [
      el('a:ResponseCode', code),
      m('a', 'DisplayName', found?.displayName),
      m('a', 'OrgRef', found?.orgRef),
      m('a', 'Status', found?.status),
      m('a', 'Ukprn', found?.ukprn),
    ]),
  };
};

// ----- ExternalService: achievement batches ------------------------------------------------------------

interface AchievementInput {
  readonly awardDate: string;
  readonly action: number;
  readonly familyName: string;
  readonly givenName: string;
  readonly dateOfBirth?: string | undefined;
  readonly grade?: string | undefined;
  readonly language?: string | undefined;
  readonly providerUkprn: string;
  readonly uln: string;
  readonly reference: string;
}
interface AchievementJob {
  readonly kind: 'achievement';
  readonly submissionType: string;
  readonly achievements: AchievementInput[];
}
interface AchievementOutput {
  created: number;
  updated: number;
  withdrawn: number;
  reinstated: number;
  promoted: number;
  final: number;
  provisional: number;
  fieldErrors: number;
  learnerErrors: number;
  businessErrors: number;
  errors: string[];
}

const S = NS_SERVICES;

const submitAchievementBatchJob = (
  body: XmlEl,
  state: SimState,
  org: { ukprn: string; userName: string },
) => {
  const list = child(body, 'achievements', S)?.children ?? [];
  const achievements = list.map(
    (a): AchievementInput => ({
      awardDate: (txt(a, 'AchievementAwardDate', S) ?? '').slice(0, 10),
      action: Number(txt(a, 'Action', S)),
      familyName: txt(a, 'FamilyName', S) ?? '',
      givenName: txt(a, 'GivenName', S) ?? '',
      dateOfBirth: txt(a, 'DateofBirth', S)?.slice(0, 10),
      grade: txt(a, 'Grade', S),
      language: txt(a, 'LanguageForAssessment', S),
      providerUkprn: txt(a, 'ProviderUkprn', S) ?? '',
      uln: (txt(a, 'Uln', S) ?? '').trim(),
      reference: txt(a, 'UnitOrQualificationReferenceNumber', S) ?? '',
    }),
  );
  const out = (code: string, jobId: string) => ({
    code,
    result: result('SubmitAchievementBatchJob', [el('a:ResponseCode', code), el('a:JobId', String(jobId))]),
  });
  if (achievements.length === 0) return out('WSRC0015', '0');
  const now = Date.now();
  const id = String(state.nextAchievementJobId++);
  const job: Job<AchievementJob, AchievementOutput> = {
    id,
    org: org.ukprn,
    userName: org.userName,
    submittedAt: now,
    startAt: now + Math.round(state.batchDurationMs * 0.2),
    finishAt: now + state.batchDurationMs,
    input: { kind: 'achievement', submissionType: txt(body, 'submissionType', S) ?? '', achievements },
  };
  state.jobs.set(id, job as Job<unknown, unknown>);
  return out('WSRC0007', id);
};

const ACTIONS = { 1: 'created', 2: 'updated', 3: 'withdrawn', 4: 'reinstated', 5: 'promoted' } as const;

const processAchievements = (
  state: SimState,
  job: Job<AchievementJob, AchievementOutput>,
): AchievementOutput => {
  if (job.output) return job.output;
  const o: AchievementOutput = {
    created: 0,
    updated: 0,
    withdrawn: 0,
    reinstated: 0,
    promoted: 0,
    final: 0,
    provisional: 0,
    fieldErrors: 0,
    learnerErrors: 0,
    businessErrors: 0,
    errors: [],
  };
  const aoOrg = SIMULATOR_ORGANISATIONS.find((x) => x.ukprn === job.org);
  job.input.achievements.forEach((a, i) => {
    const row = i + 1;
    if (!/^[0-9a-zA-Z]{8}$/.test(a.providerUkprn) || a.reference.trim() === '') {
      o.fieldErrors++;
      o.errors.push(
        `${row},${a.uln},FieldDataError,ProviderUkprn or UnitOrQualificationReferenceNumber is invalid`,
      );
      return;
    }
    const found = isValidUln(a.uln) ? state.register.get(a.uln) : undefined;
    const learner = found ? state.register.master(found) : undefined;
    if (
      !found ||
      !learner ||
      !(
        namesIdentify(found, a.givenName, a.familyName, a.dateOfBirth) ||
        namesIdentify(learner, a.givenName, a.familyName, a.dateOfBirth)
      )
    ) {
      o.learnerErrors++;
      o.errors.push(`${row},${a.uln},LearnerDataError,ULN and learner details do not match`);
      return;
    }
    const action = ACTIONS[a.action as keyof typeof ACTIONS];
    const existing = learner.events.find(
      (ev) =>
        ev.source === 'AO' && ev.subjectCode === a.reference && ev.awardingOrganisationUkprn === job.org,
    );
    if (
      !action ||
      (action !== 'created' && action !== 'reinstated' && !existing) ||
      (action === 'created' && existing)
    ) {
      o.businessErrors++;
      o.errors.push(
        `${row},${a.uln},BusinessRuleError,Action ${a.action} is not allowed for this achievement`,
      );
      return;
    }
    const base: Omit<LearningEvent, 'id'> = {
      source: 'AO',
      achievementAwardDate: a.awardDate,
      achievementProviderName: '',
      achievementProviderUkprn: '',
      awardingOrganisationName: aoOrg?.displayName ?? job.org,
      awardingOrganisationUkprn: job.org,
      credits: 0,
      dateLoaded: new Date().toISOString().slice(0, 19).replace('T', ' '),
      grade: a.grade ?? '',
      languageForAssessment: a.language || 'English',
      level: 'Level 1/2',
      qualificationType: 'Certificate',
      status: a.grade ? 'F' : 'P',
      subject: `Qualification ${a.reference}`,
      subjectCode: a.reference,
      underDataChallenge: 'N',
    };
    if (action === 'created' || action === 'reinstated') {
      if (existing) learner.events = learner.events.filter((ev) => ev !== existing);
      state.register.addEvent(learner, base);
      if (base.status === 'F') o.final++;
      else o.provisional++;
    } else if (action === 'withdrawn') {
      learner.events = learner.events.filter((ev) => ev !== existing);
    } else if (existing) {
      learner.events = learner.events.map((ev) =>
        ev === existing
          ? { ...ev, grade: a.grade ?? ev.grade, status: action === 'promoted' || a.grade ? 'F' : ev.status }
          : ev,
      );
      o.final++;
    }
    o[action]++;
  });
  job.output = o;
  return o;
};

export const completeDueAchievementJobs = (state: SimState): void => {
  const now = Date.now();
  for (const job of state.jobs.values()) {
    if (!job.output && now >= job.finishAt && (job.input as { kind?: string }).kind === 'achievement') {
      processAchievements(state, job as Job<AchievementJob, AchievementOutput>);
    }
  }
};

const WCF_DT = (ms: number) => new Date(ms).toISOString().slice(0, 19);

const getAchievementBatchJob = (body: XmlEl, state: SimState, org: { ukprn: string }) => {
  const id = String(Number(txt(body, 'jobId', S)));
  const job = state.jobs.get(id) as Job<AchievementJob, AchievementOutput> | undefined;
  const valid = job && job.org === org.ukprn && job.input.kind === 'achievement';
  const n = (v: number | undefined) => (v === undefined ? undefined : String(v));
  if (!valid || !job) {
    return {
      code: 'WSRC0018',
      result: result('GetAchievementBatchJob', [
        el('a:ResponseCode', 'WSRC0018'),
        ...[
          'AchievementBatchErrorFile',
          'AchievementsCreated',
          'AchievementsPromotedToFinal',
          'AchievementsReinstated',
          'AchievementsUpdated',
          'AchievementsWithdrawn',
          'BusinessRuleErrors',
          'Duration',
          'EndDate',
          'FieldDataErrors',
          'Filename',
        ].map((x) => m('a', x, null)),
        el('a:JobID', '0'),
        ...[
          'LearnerDataErrors',
          'NumberOfRecords',
          'PercentageSuccessfulRecords',
          'RejectionReason',
          'StartDate',
        ].map((x) => m('a', x, null)),
        el('a:Status', 'Failed'),
        ...[
          'SubmittedDate',
          'SuccessfulFinalAchievements',
          'SuccessfulProvisionalAchievements',
          'Type',
          'User',
        ].map((x) => m('a', x, null)),
      ]),
    };
  }
  const phase = jobPhase(job as Job<unknown, unknown>);
  const o = phase === 'done' ? processAchievements(state, job) : undefined;
  const total = job.input.achievements.length;
  const errors = o ? o.fieldErrors + o.learnerErrors + o.businessErrors : 0;
  const ok = total - errors;
  const status = !o ? (phase === 'waiting' ? 'Waiting' : 'InProgress') : ok > 0 ? 'Successful' : 'Failed';
  const code = o ? 'WSRC0009' : 'WSRC0008';
  const secs = Math.round((job.finishAt - job.startAt) / 1000);
  return {
    code: o ? status : code,
    result: result('GetAchievementBatchJob', [
      el('a:ResponseCode', code),
      m(
        'a',
        'AchievementBatchErrorFile',
        o && o.errors.length > 0 ? ['Row,ULN,ErrorType,Message', ...o.errors].join('\n') : null,
      ),
      m('a', 'AchievementsCreated', n(o?.created)),
      m('a', 'AchievementsPromotedToFinal', n(o?.promoted)),
      m('a', 'AchievementsReinstated', n(o?.reinstated)),
      m('a', 'AchievementsUpdated', n(o?.updated)),
      m('a', 'AchievementsWithdrawn', n(o?.withdrawn)),
      m('a', 'BusinessRuleErrors', n(o?.businessErrors)),
      m('a', 'Duration', o ? `00:00:${String(Math.min(59, secs)).padStart(2, '0')}` : null),
      m('a', 'EndDate', o ? WCF_DT(job.finishAt) : null),
      m('a', 'FieldDataErrors', n(o?.fieldErrors)),
      m('a', 'Filename', `AchievementBatch_${job.org}_${job.id}.xml`),
      el('a:JobID', String(job.id)),
      m('a', 'LearnerDataErrors', n(o?.learnerErrors)),
      m('a', 'NumberOfRecords', String(total)),
      m('a', 'PercentageSuccessfulRecords', o ? String(Math.round((ok / total) * 10000) / 100) : null),
      m('a', 'RejectionReason', o && ok === 0 ? 'No achievement in the batch could be processed.' : null),
      m('a', 'StartDate', phase === 'waiting' ? null : WCF_DT(job.startAt)),
      el('a:Status', status),
      m('a', 'SubmittedDate', WCF_DT(job.submittedAt)),
      m('a', 'SuccessfulFinalAchievements', n(o?.final)),
      m('a', 'SuccessfulProvisionalAchievements', n(o?.provisional)),
      m('a', 'Type', job.input.submissionType || null),
      m('a', 'User', job.userName),
    ]),
  };
};

// ----- dispatch ----------------------------------------------------------------------------------------

const R9_HANDLERS: Readonly<Record<string, R9Handler>> = {
  GetLearnerLearningEvents: getLearnerLearningEvents,
  LearnerByUln: learnerByUln,
  UpdateLearnerSubsetFields: updateLearnerSubsetFields,
  ViewAudit: viewAudit,
  GetOrganisation: getOrganisation,
};

const deserializationFault = (op: string, detail: string) =>
  new SoapFailure(
    500,
    wcfFaultXml(
      'a:DeserializationFailed',
      `The formatter threw an exception while trying to deserialize the message: Error in deserializing body of request message for operation '${op}'. ${detail}`,
      { prefix: 'a', ns: WCF_DISPATCHER_NS },
    ),
    'DeserializationFailed',
  );

/** Answers one R9 or ExternalService request for operation `op` whose body element is `body`. */
export const handleWcf = (service: 'r9' | 'external', op: string, body: XmlEl, state: SimState): OpResult => {
  try {
    const def = WCF_REQUESTS[op] as { ns: string; type: ComplexType };
    if (body.local !== op || body.ns !== def.ns) {
      throw deserializationFault(
        op,
        `OperationFormatter encountered an invalid Message body. Expected to find node type 'Element' with name '${op}' and namespace '${def.ns}'. Found node type 'Element' with name '${body.local}' and namespace '${body.ns}'`,
      );
    }
    const invalid = validateComplex(body, def.type);
    if (invalid) throw deserializationFault(op, invalid.message);
    let auth: ReturnType<typeof authenticate>;
    let userName: string;
    if (service === 'external') {
      const u = child(body, 'invokingUser', NS_SERVICES);
      userName = childText(u, 'UserName', NS_MODEL) ?? '';
      auth = authenticate(
        { orgRef: childText(u, 'OrganisationRef', NS_MODEL) },
        childText(u, 'OrgPassword', NS_MODEL),
        op,
      );
    } else {
      const inv = child(body, 'invokingOrganisation', NS_TEMPURI);
      const ns = inv?.children[0]?.ns ?? '';
      userName = childText(inv, 'Username', ns) ?? '';
      auth = authenticate(
        {
          ukprn: childText(inv, 'Ukprn', ns),
          orgRef: childText(inv, op === 'GetLearnerLearningEvents' ? 'OrganisationRef' : 'Reference', ns),
        },
        childText(inv, 'Password', ns),
        op,
      );
    }
    if ('problem' in auth) {
      domainFault(auth.problem);
      throw new Error('unreachable');
    }
    const org = {
      ukprn: auth.org.ukprn,
      displayName: auth.org.displayName,
      userName: userName || auth.org.userName,
    };
    let r: { result: WNode; code: string };
    if (service === 'external') {
      completeDueAchievementJobs(state);
      r =
        op === 'SubmitAchievementBatchJob'
          ? submitAchievementBatchJob(body, state, org)
          : getAchievementBatchJob(body, state, org);
    } else {
      r = (R9_HANDLERS[op] as R9Handler)(body, state, org);
    }
    return { status: 200, operation: op, code: r.code, body: wrapped(service, op, r.result) };
  } catch (err) {
    if (err instanceof SoapFailure)
      return { status: err.status, operation: op, code: err.code, body: err.body };
    throw err;
  }
};
