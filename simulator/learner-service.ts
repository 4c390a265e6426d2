/**
 * LearnerService.svc: the ten learner-register operations, answered like the Java back end behind
 * the WCF façade (soapenv/ns2 prefixes, unqualified children, MIAPAPIException faults). The parts
 * live in learner-service/: common.ts (envelope, faults, the Learner element), find.ts, verify.ts,
 * register.ts (register and update), batches.ts and dispatch.ts.
 */
export { completeDueJobs } from './learner-service/batches.js';
export { learnerNode, OPERATION_BY_ELEMENT } from './learner-service/common.js';
export { handleLearnerService } from './learner-service/dispatch.js';
export { invalidAbilityToShareChange } from './learner-service/register.js';
export {
  type VerifyInput,
  type VerifyOutcome,
  verifiedLearnerChildren,
  verify,
} from './learner-service/verify.js';
