/**
 * The one table of LRS operations. It drives the SOAP adapter, the simulator's routing tests,
 * the Lambda functions, the CDK constructs, the local runtime and the OpenAPI document.
 * Dependency-free on purpose: infra/ imports it at synth time.
 */

export const NS = {
  soapEnv: 'http://schemas.xmlsoap.org/soap/envelope/',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  findmsg: 'http://api.lrs.miap.gov.uk/findmsg',
  regmsg: 'http://api.lrs.miap.gov.uk/regmsg',
  batchmsg: 'http://api.lrs.miap.gov.uk/batchmsg',
  vldmsg: 'http://api.lrs.miap.gov.uk/vldmsg',
  reportmsg: 'http://api.lrs.miap.gov.uk/reportmsg',
  learner: 'http://api.lrs.miap.gov.uk/learner',
  exceptions: 'http://api.lrs.miap.gov.uk/exceptions',
  tempuri: 'http://tempuri.org/',
  model: 'http://api.lrs.qcf.gov.uk/model',
  faults: 'http://api.lrs.qcf.gov.uk/faults',
  services: 'http://api.lrs.qcf.gov.uk/services',
  serviceInterface: 'http://schemas.datacontract.org/2004/07/Amor.Qcf.Service.Interface',
  common: 'http://schemas.datacontract.org/2004/07/Amor.Qcf.Common',
  miapModel: 'http://schemas.datacontract.org/2004/07/Amor.Qcf.MIAPModel',
  miapModelEntities: 'http://schemas.datacontract.org/2004/07/Amor.Qcf.MIAPModel.Entities',
  arrays: 'http://schemas.microsoft.com/2003/10/Serialization/Arrays',
} as const;

export type LrsServiceName = 'LearnerService' | 'LearnerServiceR9' | 'ExternalService';

export const SERVICES: Record<LrsServiceName, { path: string; style: 'bare' | 'wrapped' }> = {
  LearnerService: { path: '/LearnerService.svc', style: 'bare' },
  LearnerServiceR9: { path: '/LearnerServiceR9.svc', style: 'wrapped' },
  ExternalService: { path: '/ExternalService.svc', style: 'wrapped' },
};

export interface QName {
  readonly ns: string;
  readonly name: string;
}

export interface OperationDef {
  /** Our stable id: function name suffix, queue name suffix, metric dimension. */
  readonly id: OperationId;
  /** The operation name in the LRS WSDL. */
  readonly lrsName: string;
  readonly service: LrsServiceName;
  /** The SOAPAction header value, exactly as the WSDL binding states it ('' for most LearnerService ops). */
  readonly soapAction: string;
  readonly request: QName;
  readonly response: QName;
  /** For wrapped operations: the result element inside the response wrapper. */
  readonly result?: QName;
  /** Changes state at the LRS: needs an Idempotency-Key over HTTP and per-request-id idempotency on queues. */
  readonly mutating: boolean;
  /** Versioned HTTP route; personal data always travels in the JSON body, never in the path. */
  readonly route: { readonly method: 'POST'; readonly path: string };
  readonly summary: string;
}

const learner = (
  lrsName: string,
  request: QName,
  response: QName,
  rest: Omit<OperationDef, 'lrsName' | 'service' | 'soapAction' | 'request' | 'response' | 'id'> & {
    id: OperationId;
    soapAction?: string;
  },
): OperationDef => ({
  lrsName,
  service: 'LearnerService',
  soapAction: rest.soapAction ?? '',
  request,
  response,
  ...rest,
});

/** What an operation of a WCF service states itself; the rest follows from its LRS name. */
type WcfOperation = Omit<
  OperationDef,
  'lrsName' | 'service' | 'soapAction' | 'request' | 'response' | 'result' | 'id'
> & {
  id: OperationId;
};

/**
 * The operations of a WCF service: SOAPAction `<contract>/<name>`; request, response and result
 * elements `<name>`, `<name>Response`, `<name>Result` in the service's namespace.
 */
const wcfService =
  (service: OperationDef['service'], contract: string, ns: string) =>
  (lrsName: string, rest: WcfOperation): OperationDef => ({
    lrsName,
    service,
    soapAction: `${contract}/${lrsName}`,
    request: { ns, name: lrsName },
    response: { ns, name: `${lrsName}Response` },
    result: { ns, name: `${lrsName}Result` },
    ...rest,
  });

const r9 = wcfService('LearnerServiceR9', 'http://tempuri.org/ILearnerServiceR9', NS.tempuri);
const external = wcfService(
  'ExternalService',
  'http://api.lrs.qcf.gov.uk/services/IExternalService',
  NS.services,
);

export const OPERATION_IDS = [
  'findLearnerByUln',
  'findLearnerByDemographics',
  'verifyLearner',
  'registerLearner',
  'updateLearner',
  'submitBatchRegistration',
  'getBatchRegistrationOutput',
  'submitVerifyBatch',
  'getVerifyBatchOutput',
  'retrieveUlns',
  'getLearningEvents',
  'getLearnerByUln',
  'updateLearnerSubsetFields',
  'viewAudit',
  'getOrganisation',
  'submitAchievementBatch',
  'getAchievementBatch',
] as const;

export type OperationId = (typeof OPERATION_IDS)[number];

const q = (ns: string, name: string): QName => ({ ns, name });
const post = (path: string) => ({ method: 'POST' as const, path });

export const OPERATIONS: Readonly<Record<OperationId, OperationDef>> = {
  findLearnerByUln: learner(
    'learnerByULN',
    q(NS.findmsg, 'FindLearnerByULN'),
    q(NS.findmsg, 'FindLearnerResponse'),
    {
      id: 'findLearnerByUln',
      mutating: false,
      route: post('/v1/learners/find-by-uln'),
      summary: 'Find a learner by ULN, family name and given name',
    },
  ),
  findLearnerByDemographics: learner(
    'learnerByDemographics',
    q(NS.findmsg, 'FindLearnerByDemographics'),
    q(NS.findmsg, 'FindLearnerResponse'),
    {
      id: 'findLearnerByDemographics',
      mutating: false,
      route: post('/v1/learners/find-by-demographics'),
      summary: 'Find a learner by demographics (name, date of birth, gender, postcode)',
    },
  ),
  verifyLearner: learner(
    'verifyLearner',
    q(NS.reportmsg, 'VerifyLearner'),
    q(NS.reportmsg, 'VerifyLearnerResponse'),
    {
      id: 'verifyLearner',
      soapAction: 'http://tempuri.org/LearnerPortType/verifyLearner',
      mutating: false,
      route: post('/v1/learners/verify'),
      summary: 'Verify that a ULN belongs to the named learner',
    },
  ),
  registerLearner: learner(
    'registerSingleLearner',
    q(NS.regmsg, 'RegisterLearner'),
    q(NS.regmsg, 'RegisterLearnerResponse'),
    {
      id: 'registerLearner',
      mutating: true,
      route: post('/v1/learners/register'),
      summary: 'Register a new learner (searches first, registers only when the LRS finds no match)',
    },
  ),
  updateLearner: learner(
    'updateSingleLearner',
    q(NS.regmsg, 'UpdateLearner'),
    q(NS.regmsg, 'UpdateLearnerResponse'),
    {
      id: 'updateLearner',
      mutating: true,
      route: post('/v1/learners/update'),
      summary: "Update a learner's details (optimistic concurrency on versionNumber)",
    },
  ),
  submitBatchRegistration: learner(
    'submitBatchRegistration',
    q(NS.batchmsg, 'SubmitBatch'),
    q(NS.batchmsg, 'SubmitBatchResponse'),
    {
      id: 'submitBatchRegistration',
      mutating: true,
      route: post('/v1/batch-registrations/submit'),
      summary: 'Submit an LRS batch registration job (up to 200 learners)',
    },
  ),
  getBatchRegistrationOutput: learner(
    'getBatchRegistrationOutput',
    q(NS.batchmsg, 'GetSubmitBatchOutput'),
    q(NS.batchmsg, 'GetSubmitBatchOutputResponse'),
    {
      id: 'getBatchRegistrationOutput',
      mutating: false,
      route: post('/v1/batch-registrations/output'),
      summary: 'Get the output of an LRS batch registration job',
    },
  ),
  submitVerifyBatch: learner(
    'submitVerifyBatch',
    q(NS.vldmsg, 'SubmitVerifyBatch'),
    q(NS.vldmsg, 'SubmitVerifyBatchResponse'),
    {
      id: 'submitVerifyBatch',
      mutating: true,
      route: post('/v1/batch-verifications/submit'),
      summary: 'Submit an LRS batch verification job (up to 200 learners)',
    },
  ),
  getVerifyBatchOutput: learner(
    'getVerifyBatchOutput',
    q(NS.vldmsg, 'GetVerifyBatchOutput'),
    q(NS.vldmsg, 'GetVerifyBatchOutputResponse'),
    {
      id: 'getVerifyBatchOutput',
      mutating: false,
      route: post('/v1/batch-verifications/output'),
      summary: 'Get the output of an LRS batch verification job',
    },
  ),
  retrieveUlns: learner(
    'retrieveULNs',
    q(NS.reportmsg, 'RetrieveULNs'),
    q(NS.reportmsg, 'RetrieveULNsResponse'),
    {
      id: 'retrieveUlns',
      mutating: false,
      route: post('/v1/learners/retrieve-ulns'),
      summary: 'Retrieve the current state of up to 200 ULNs (merged or changed learners)',
    },
  ),
  getLearningEvents: r9('GetLearnerLearningEvents', {
    id: 'getLearningEvents',
    mutating: false,
    route: post('/v1/learners/learning-events'),
    summary: "Get a learner's Personal Learning Record (learning events)",
  }),
  getLearnerByUln: r9('LearnerByUln', {
    id: 'getLearnerByUln',
    mutating: false,
    route: post('/v1/learners/r9/by-uln'),
    summary: 'Get the full R9 learner record by ULN',
  }),
  updateLearnerSubsetFields: r9('UpdateLearnerSubsetFields', {
    id: 'updateLearnerSubsetFields',
    mutating: true,
    route: post('/v1/learners/r9/subset-fields'),
    summary: "Update a learner's email, telephone, ability to share, school at 16 or preferred given name",
  }),
  viewAudit: r9('ViewAudit', {
    id: 'viewAudit',
    mutating: false,
    route: post('/v1/learners/r9/audit'),
    summary: "View the audit of who accessed a learner's record",
  }),
  getOrganisation: r9('GetOrganisation', {
    id: 'getOrganisation',
    mutating: false,
    route: post('/v1/organisations/lookup'),
    summary: 'Look up an organisation by UKPRN or organisation reference',
  }),
  submitAchievementBatch: external('SubmitAchievementBatchJob', {
    id: 'submitAchievementBatch',
    mutating: true,
    route: post('/v1/achievement-batches/submit'),
    summary: "Submit an awarding organisation's achievement batch",
  }),
  getAchievementBatch: external('GetAchievementBatchJob', {
    id: 'getAchievementBatch',
    mutating: false,
    route: post('/v1/achievement-batches/output'),
    summary: 'Get the status and results of an achievement batch job',
  }),
};

export const OPERATION_LIST: readonly OperationDef[] = OPERATION_IDS.map((id) => OPERATIONS[id]);

/** kebab-case form of an operation id, used for function directories, queue names and metric names. */
export const kebab = (id: OperationId): string => id.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
