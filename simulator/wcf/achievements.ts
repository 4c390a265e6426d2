/**
 * ExternalService.svc: achievement batches of awarding organisations (SubmitAchievementBatchJob,
 * GetAchievementBatchJob), processed as a background job that adds, updates, withdraws, reinstates or
 * promotes AO learning events on the learners' PLR.
 */
import { completeDue, type Job, jobPhase, newJob, type SimState } from '../context.js';
import type { LearningEvent } from '../model.js';
import { SIMULATOR_ORGANISATIONS } from '../seed/organisations.js';
import { child, el, type XmlEl } from '../xml.js';
import { members, NS_SERVICES, result, txt } from './envelope.js';
import { identify } from './r9.js';

export const EXTERNAL_OPERATIONS = ['SubmitAchievementBatchJob', 'GetAchievementBatchJob'];

/** The GetAchievementBatchJob result members, in DataContract order (base first). */
const JOB_MEMBERS = [
  'ResponseCode',
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
  'JobID',
  'LearnerDataErrors',
  'NumberOfRecords',
  'PercentageSuccessfulRecords',
  'RejectionReason',
  'StartDate',
  'Status',
  'SubmittedDate',
  'SuccessfulFinalAchievements',
  'SuccessfulProvisionalAchievements',
  'Type',
  'User',
] as const;

/** The job result with every member in order; a member without a value is i:nil. */
const jobResult = (values: Partial<Record<(typeof JOB_MEMBERS)[number], string | null>>) =>
  result('GetAchievementBatchJob', members('a', Object.fromEntries(JOB_MEMBERS.map((k) => [k, values[k]]))));

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

export const submitAchievementBatchJob = (
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
  const job = newJob<AchievementJob>(state, String(state.nextAchievementJobId++), org.ukprn, org.userName, {
    kind: 'achievement',
    submissionType: txt(body, 'submissionType', S) ?? '',
    achievements,
  });
  return out('WSRC0007', job.id);
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
    const learner = identify(state, a.uln, a.givenName, a.familyName, a.dateOfBirth)?.master;
    if (!learner) {
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

export const completeDueAchievementJobs = (state: SimState): void =>
  completeDue(state, { achievement: processAchievements });

const WCF_DT = (ms: number) => new Date(ms).toISOString().slice(0, 19);

export const getAchievementBatchJob = (body: XmlEl, state: SimState, org: { ukprn: string }) => {
  const id = String(Number(txt(body, 'jobId', S)));
  const job = state.jobs.get(id) as Job<AchievementJob, AchievementOutput> | undefined;
  const valid = job && job.org === org.ukprn && job.input.kind === 'achievement';
  const n = (v: number | undefined) => (v === undefined ? undefined : String(v));
  if (!valid || !job) {
    return {
      code: 'WSRC0018',
      result: jobResult({ ResponseCode: 'WSRC0018', JobID: '0', Status: 'Failed' }),
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
    result: jobResult({
      ResponseCode: code,
      AchievementBatchErrorFile:
        o && o.errors.length > 0 ? ['Row,ULN,ErrorType,Message', ...o.errors].join('\n') : null,
      AchievementsCreated: n(o?.created),
      AchievementsPromotedToFinal: n(o?.promoted),
      AchievementsReinstated: n(o?.reinstated),
      AchievementsUpdated: n(o?.updated),
      AchievementsWithdrawn: n(o?.withdrawn),
      BusinessRuleErrors: n(o?.businessErrors),
      Duration: o ? `00:00:${String(Math.min(59, secs)).padStart(2, '0')}` : null,
      EndDate: o ? WCF_DT(job.finishAt) : null,
      FieldDataErrors: n(o?.fieldErrors),
      Filename: `AchievementBatch_${job.org}_${job.id}.xml`,
      JobID: String(job.id),
      LearnerDataErrors: n(o?.learnerErrors),
      NumberOfRecords: String(total),
      PercentageSuccessfulRecords: o ? String(Math.round((ok / total) * 10000) / 100) : null,
      RejectionReason: o && ok === 0 ? 'No achievement in the batch could be processed.' : null,
      StartDate: phase === 'waiting' ? null : WCF_DT(job.startAt),
      Status: status,
      SubmittedDate: WCF_DT(job.submittedAt),
      SuccessfulFinalAchievements: n(o?.final),
      SuccessfulProvisionalAchievements: n(o?.provisional),
      Type: job.input.submissionType || null,
      User: job.userName,
    }),
  };
};
