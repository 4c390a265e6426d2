/**
 * LearnerServiceR9.svc and ExternalService.svc: native WCF services (s/a/i prefixes, DataContract
 * members base-first then alphabetical, i:nil for null members, EmitDefaultValue=false members
 * omitted), DomainFault for business faults, WCF dispatcher faults for malformed messages. The parts
 * live in wcf/: envelope.ts (answer shapes), model.ts (LearningEvent, MIAPModel learner), r9.ts,
 * achievements.ts (ExternalService) and dispatch.ts.
 */
export { completeDueAchievementJobs, EXTERNAL_OPERATIONS } from './wcf/achievements.js';
export { handleWcf } from './wcf/dispatch.js';
export { learningEventNode, miapModelLearner } from './wcf/model.js';
export { AUDIT_PAGE_SIZE, R9_OPERATIONS } from './wcf/r9.js';
