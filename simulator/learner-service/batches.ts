/**
 * The LearnerService batch jobs: batch registration (submitBatchRegistration,
 * getBatchRegistrationOutput) and batch verification (submitVerifyBatch, getVerifyBatchOutput).
 * A job waits, runs, and is processed once when its time is up (by a timer or on the first poll).
 */
import { completeDue, type Job, jobPhase, newJob, type SimState } from '../context.js';
import { miapTimestamp } from '../faults.js';
import { type DemographicQuery, matchFamily, matchGiven } from '../matching.js';
import type { AbilityToShare, Gender } from '../model.js';
import { isValidUln } from '../uln.js';
import { el, isNil, type WNode, type XmlEl } from '../xml.js';
import { type Answer, answer, auditBy, type Handler, MSG, o, orgRef, req, text } from './common.js';
import { learnerFieldsFrom } from './register.js';
import {
  type VerifyInput,
  type VerifyOutcome,
  verifiedLearnerChildren,
  verify,
  verifyInputFrom,
} from './verify.js';

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

/**
 * Submits a batch job: WSRC0017 with JobID 0 when LearnerRecordCount is not the number of Learner
 * elements, else WSRC0007 and the new job's id.
 */
const submitJob =
  <I>(message: string, ns: string, input: (learners: XmlEl[], body: XmlEl) => I): Handler =>
  (body, state, org, userName) => {
    const learners = body.children.filter((c) => c.local === 'Learner' && c.ns === '');
    const count = Number(req(body, 'LearnerRecordCount'));
    if (count !== learners.length) return answer(message, ns, 'WSRC0017', [el('JobID', '0')]);
    const job = newJob(state, String(state.nextJobId++), org, userName, input(learners, body));
    return answer(message, ns, 'WSRC0007', [el('JobID', job.id)]);
  };

export const submitBatch = submitJob<RegistrationJob>('SubmitBatchResponse', MSG.batch, (learners, body) => ({
  kind: 'registration',
  jobType: req(body, 'JobType') as 'FUL' | 'CHK',
  learners: learners.map((l) => ({ fields: l.children.map((c) => [c.local, isNil(c) ? '' : c.text]) })),
}));

export const submitVerifyBatch = submitJob<VerifyJob>('SubmitVerifyBatchResponse', MSG.vld, (learners) => ({
  kind: 'verify',
  learners: learners.map((l) => ({ misIdentifier: text(l, 'MISIdentifier'), v: verifyInputFrom(l) })),
}));

type Bucket = keyof RegistrationOutput['counts'];

/** Processes one batch registration learner; see README for the ReturnCode rules. */
const processBatchLearner = (
  state: SimState,
  job: Job<RegistrationJob, RegistrationOutput>,
  input: BatchLearnerInput,
): { fields: [string, string][]; returnCode: string; bucket: Bucket } => {
  const get = (n: string) => input.fields.find(([k]) => k === n)?.[1] ?? '';
  const fields = [...input.fields];
  const outcome = (returnCode: string, bucket: Bucket, uln?: string) => {
    if (uln !== undefined) {
      const i = fields.findIndex(([k]) => k === 'ULN');
      if (i >= 0) fields[i] = ['ULN', uln];
      else fields.unshift(['ULN', uln]);
    }
    return { fields, returnCode, bucket };
  };
  const uln = get('ULN');
  if (uln) {
    if (!isValidUln(uln)) return outcome('WSEC0136', 'rejected');
    const found = state.register.get(uln);
    if (!found) return outcome('WSRC0001', 'notFound');
    const master = state.register.master(found);
    if (
      matchGiven(get('GivenName'), master) !== 'none' &&
      matchFamily(get('FamilyName'), master) !== 'none'
    ) {
      return master !== found ? outcome('WSRC0022', 'exists', master.uln) : outcome('WSRC0004', 'exists');
    }
    return outcome('WSRC0001', 'notFound');
  }
  const dob = get('DateOfBirth');
  const gender = get('Gender');
  const postcode = get('LastKnownPostCode');
  if (!dob || !gender || !postcode) return outcome('WSRC0015', 'rejected');
  const q: DemographicQuery = {
    givenName: get('GivenName'),
    familyName: get('FamilyName'),
    dateOfBirth: dob,
    gender: gender as Gender,
    postcode,
  };
  const r = state.register.searchDemographics(q);
  if (r.code === 'WSRC0004' || r.code === 'WSRC0022')
    return outcome(r.code, 'exists', r.learners[0]?.learner.uln ?? '');
  if (r.code === 'WSRC0003' || r.code === 'WSRC0002') return outcome(r.code, 'possible');
  if (job.input.jobType === 'CHK') return outcome('WSRC0001', 'notFound');
  const created = state.register.create({
    ...learnerFieldsFrom((element) => get(element) || undefined),
    givenName: q.givenName,
    familyName: q.familyName,
    postcode,
    dateOfBirth: dob,
    gender: gender as Gender,
    verificationType: get('VerificationType') || '0',
    abilityToShare: (get('AbilityToShare') || '0') as AbilityToShare,
    registeredByOrganisationRef: orgRef(job.org),
  });
  auditBy(state, created, 'Learner registered (batch)', job.org, job.userName);
  return outcome('WSRC0005', 'created', created.uln);
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

const completeVerify = (state: SimState, job: Job<VerifyJob, VerifyOutcome[]>): VerifyOutcome[] => {
  job.output ??= job.input.learners.map((l) => verify(state, l.v));
  return job.output;
};

/** Completes every finished job that has not been processed yet (called by a timer and on poll). */
export const completeDueJobs = (state: SimState): void => {
  completeDue(state, { registration: completeRegistration, verify: completeVerify });
};

const dt = (ms: number) => miapTimestamp(new Date(ms));
const JOB_STATUS = { waiting: 'Submitted', running: 'Processing', done: 'Completed' } as const;

/**
 * Answers a job output request: the job of this organisation and kind named by JobID (xs:long, read
 * with BigInt so ids above 2^53 keep every digit), WSRC0018 when there is none, WSRC0008 with its
 * status while it waits or runs, else its output.
 */
const jobOutput =
  <I extends { kind: string }, O>(
    message: string,
    ns: string,
    kind: I['kind'],
    answers: {
      unknown: () => (WNode | undefined)[];
      pending: (job: Job<I, O>, phase: 'waiting' | 'running') => (WNode | undefined)[];
      done: (state: SimState, job: Job<I, O>) => { code: string; children: (WNode | undefined)[] };
    },
  ): Handler =>
  (body, state, org): Answer => {
    const id = BigInt(req(body, 'JobID').trim()).toString();
    const job = state.jobs.get(id) as Job<I, O> | undefined;
    if (!job || job.org !== org || (job.input as { kind: string }).kind !== kind) {
      return answer(message, ns, 'WSRC0018', answers.unknown());
    }
    const phase = jobPhase(job as Job<unknown, unknown>);
    if (phase !== 'done') {
      return answer(message, ns, 'WSRC0008', [
        el('JobStatus', JOB_STATUS[phase]),
        ...answers.pending(job, phase),
      ]);
    }
    const r = answers.done(state, job);
    return answer(message, ns, r.code, r.children);
  };

// JobStartedDateTime and JobFinishedDateTime are mandatory in BatchOutputResp (legacy XSD): a time not
// reached yet is given as the submission time, and for an unknown job as the time of the answer.
export const getBatchOutput = jobOutput<RegistrationJob, RegistrationOutput>(
  'GetSubmitBatchOutputResponse',
  MSG.batch,
  'registration',
  {
    unknown: () => {
      const now = dt(Date.now());
      return [el('JobStartedDateTime', now), el('JobFinishedDateTime', now)];
    },
    pending: (job, phase) => [
      el('JobStartedDateTime', dt(phase === 'running' ? job.startAt : job.submittedAt)),
      el('JobFinishedDateTime', dt(job.submittedAt)),
    ],
    done: (state, job) => {
      const out = completeRegistration(state, job);
      const failed = out.learners.length > 0 && out.counts.rejected === out.learners.length;
      return {
        code: failed ? 'WSRC0010' : 'WSRC0009',
        children: [
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
        ],
      };
    },
  },
);

export const getVerifyBatchOutput = jobOutput<VerifyJob, VerifyOutcome[]>(
  'GetVerifyBatchOutputResponse',
  MSG.vld,
  'verify',
  {
    unknown: () => [],
    pending: (job, phase) => [phase === 'running' ? el('JobStartedDateTime', dt(job.startAt)) : undefined],
    done: (state, job) => {
      const out = completeVerify(state, job);
      return {
        code: 'WSRC0009',
        children: [
          el('JobStatus', 'Completed'),
          el('JobStartedDateTime', dt(job.startAt)),
          el('JobFinishedDateTime', dt(job.finishAt)),
          ...job.input.learners.map((l, i) =>
            el('VerifiedLearner', [
              o('MISIdentifier', l.misIdentifier),
              ...verifiedLearnerChildren(l.v, out[i] ?? { code: 'WSVRC006', flags: [] }),
            ]),
          ),
        ],
      };
    },
  },
);
