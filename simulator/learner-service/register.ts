/** registerSingleLearner and updateSingleLearner: the learner's fields read once from a table of elements. */
import type { LearnerRecord } from '../model.js';
import { child, el, type XmlEl } from '../xml.js';
import { answer, auditBy, type Handler, MSG, orgRef, req, requireValidUln, text } from './common.js';

/** The learner fields of a register or update request: record field → element, in XSD order. */
const LEARNER_ELEMENTS = {
  title: 'Title',
  givenName: 'GivenName',
  middleOtherName: 'MiddleOtherName',
  familyName: 'FamilyName',
  preferredGivenName: 'PreferredGivenName',
  previousFamilyName: 'PreviousFamilyName',
  familyNameAtAge16: 'FamilyNameAtAge16',
  schoolAtAge16: 'SchoolAtAge16',
  addressLine1: 'LastKnownAddressLine1',
  addressLine2: 'LastKnownAddressLine2',
  addressTown: 'LastKnownAddressTown',
  addressCountyOrCity: 'LastKnownAddressCountyOrCity',
  postcode: 'LastKnownPostCode',
  dateOfAddressCapture: 'DateOfAddressCapture',
  dateOfBirth: 'DateOfBirth',
  placeOfBirth: 'PlaceOfBirth',
  gender: 'Gender',
  emailAddress: 'EmailAddress',
  nationality: 'Nationality',
  scottishCandidateNumber: 'ScottishCandidateNumber',
  verificationType: 'VerificationType',
  otherVerificationDescription: 'OtherVerificationDescription',
  abilityToShare: 'AbilityToShare',
  notes: 'Notes',
} as const satisfies Partial<Record<keyof LearnerRecord, string>>;

export type LearnerFields = Pick<LearnerRecord, keyof typeof LEARNER_ELEMENTS>;

/** The elements the register and update sequences require (read as '' when absent, the others as undefined). */
const REQUIRED = new Set([
  'GivenName',
  'FamilyName',
  'LastKnownPostCode',
  'DateOfBirth',
  'Gender',
  'VerificationType',
  'AbilityToShare',
]);

/** The learner fields, each read by `read(element)`. */
export const learnerFieldsFrom = (read: (element: string) => string | undefined): LearnerFields =>
  Object.fromEntries(
    Object.entries(LEARNER_ELEMENTS).map(([field, element]) => [field, read(element)]),
  ) as LearnerFields;

const learnerFields = (l: XmlEl | undefined): LearnerFields =>
  learnerFieldsFrom((element) => (REQUIRED.has(element) ? req(l, element) : text(l, element)));

export const registerLearner: Handler = (body, state, org, userName) => {
  const fields = learnerFields(child(body, 'Learner'));
  let code: string;
  let uln: string | undefined;
  if (state.register.duplicateOf(fields)) code = 'WSRC0021';
  else if (!state.register.searchedRecently(org, fields)) code = 'WSRC0021';
  else {
    const created = state.register.create({ ...fields, registeredByOrganisationRef: orgRef(org) });
    auditBy(state, created, 'Learner registered', org, userName);
    code = 'WSRC0005';
    uln = created.uln;
  }
  return answer('RegisterLearnerResponse', MSG.reg, code, [uln ? el('ULN', uln) : undefined]);
};

/** The WSRC0014 rule: once the fair processing notice was seen (1 or 2) it cannot go back to "not seen" (0). */
export const invalidAbilityToShareChange = (from: string, to: string): boolean => from !== '0' && to === '0';

export const updateLearner: Handler = (body, state, org, userName) => {
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
    for (const k of Object.keys(LEARNER_ELEMENTS) as (keyof LearnerFields)[]) {
      const next = fields[k] === '' ? undefined : fields[k];
      const cur = target[k] === '' ? undefined : target[k];
      if ((next ?? '') !== (cur ?? '')) changes[k] = next;
    }
    if (Object.keys(changes).length === 0) code = 'WSRC0020';
    else {
      state.register.apply(target, changes as Partial<LearnerRecord>);
      auditBy(state, target, 'Learner updated', org, userName);
      code = 'WSRC0006';
    }
  }
  return answer('UpdateLearnerResponse', MSG.reg, code);
};
