/**
 * Request validation in the style of the LRS Java back end: the legacy MIAP XSD types and element
 * sequences, checked the way Xerces checks them (patterns first, then length and range facets), with
 * Xerces-style messages for the first error found. The same engine checks the WCF wrappers of
 * LearnerServiceR9 and ExternalService. The parts live in schema/: types.ts (the model and its
 * builders), miap.ts (LearnerService), wcf.ts (R9 and ExternalService), validate.ts (the validator).
 */
export { LEARNER_SERVICE_REQUESTS, T } from './schema/miap.js';
export type { ComplexType, Particle, SimpleType } from './schema/types.js';
export { checkSimple, type ValidationFailure, validateComplex } from './schema/validate.js';
export { WCF_REQUESTS } from './schema/wcf.js';
