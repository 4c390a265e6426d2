/** The simulator's own data model of the learner register (not the gateway's domain model). */

export type Gender = '0' | '1' | '2' | '9';
export type AbilityToShare = '0' | '1' | '2';

export interface LearningEvent {
  readonly id: number;
  readonly source: 'ILR' | 'NPD' | 'AO';
  readonly achievementAwardDate: string;
  readonly achievementProviderName: string;
  readonly achievementProviderUkprn: string;
  readonly awardingOrganisationName: string;
  readonly awardingOrganisationUkprn: string;
  readonly collectionType?: string;
  readonly credits: number;
  readonly dateLoaded: string;
  readonly grade: string;
  readonly languageForAssessment?: string;
  readonly level?: string;
  readonly participationEndDate?: string;
  readonly participationStartDate?: string;
  readonly qualificationType: string;
  readonly restriction?: string;
  readonly returnNumber?: string;
  readonly status: string;
  readonly subject: string;
  readonly subjectCode: string;
  readonly underDataChallenge: string;
}

export interface AuditEntry {
  readonly action: string;
  /** `YYYY-MM-DDTHH:MM:SS` */
  readonly dateTime: string;
  readonly organisation: string;
  readonly user: string;
}

export interface LearnerRecord {
  uln: string;
  createdDate: string;
  lastUpdatedDate: string;
  title?: string;
  givenName: string;
  middleOtherName?: string;
  familyName: string;
  preferredGivenName?: string;
  previousFamilyName?: string;
  familyNameAtAge16?: string;
  schoolAtAge16?: string;
  addressLine1?: string;
  addressLine2?: string;
  addressTown?: string;
  addressCountyOrCity?: string;
  postcode: string;
  dateOfAddressCapture?: string;
  dateOfBirth: string;
  placeOfBirth?: string;
  gender: Gender;
  emailAddress?: string;
  nationality?: string;
  scottishCandidateNumber?: string;
  verificationType?: string;
  otherVerificationDescription?: string;
  tierLevel?: string;
  abilityToShare: AbilityToShare;
  learnerStatus: string;
  /** On a master record: the ULNs merged into it. */
  linkedUlns: string[];
  /** On a linked (merged-away) record: the master ULN. */
  masterUln?: string;
  notes?: string;
  telephoneNumber?: string;
  versionNumber: number;
  registeredByOrganisationRef?: string;
  events: LearningEvent[];
  audit: AuditEntry[];
}

export const cloneLearner = (l: LearnerRecord): LearnerRecord => ({
  ...l,
  linkedUlns: [...l.linkedUlns],
  events: [...l.events],
  audit: [...l.audit],
});
