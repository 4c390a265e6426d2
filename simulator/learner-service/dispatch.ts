/** One LearnerService request from body element to answer: WSEC0002, the XSD (WSEC0001), the credentials, then the operation. */
import { authenticate, type OpResult, type SimState, SoapFailure } from '../context.js';
import { ACTOR_SECURITY, miapFaultXml } from '../faults.js';
import { LEARNER_SERVICE_REQUESTS, validateComplex } from '../schema.js';
import type { XmlEl } from '../xml.js';
import {
  completeDueJobs,
  getBatchOutput,
  getVerifyBatchOutput,
  submitBatch,
  submitVerifyBatch,
} from './batches.js';
import { fault, type Handler, OPERATION_BY_ELEMENT, req, text } from './common.js';
import { learnerByDemographics, learnerByUln, retrieveUlns } from './find.js';
import { registerLearner, updateLearner } from './register.js';
import { verifyLearner } from './verify.js';

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
