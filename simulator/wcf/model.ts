/** The DataContract shapes of R9 answers: the PLR LearningEvent and the MIAPModel learner of LearnerByUln. */
import type { LearnerRecord, LearningEvent } from '../model.js';
import { el, type WNode } from '../xml.js';
import { e, m, members } from './envelope.js';

const NS_MIAP_MODEL = 'http://schemas.datacontract.org/2004/07/Amor.Qcf.MIAPModel';
const NS_ARRAYS = 'http://schemas.microsoft.com/2003/10/Serialization/Arrays';

/**
 * The LearningEvent members in DataContract order: `nillable` ones are i:nil when empty, `omitted` ones
 * (EmitDefaultValue=false) are left out, `number` ones are always there.
 */
const EVENT_MEMBERS = {
  AchievementAwardDate: 'nillable',
  AchievementProviderName: 'omitted',
  AchievementProviderUkprn: 'nillable',
  AwardingOrganisationName: 'omitted',
  AwardingOrganisationUkprn: 'omitted',
  CollectionType: 'omitted',
  Credits: 'number',
  DateLoaded: 'omitted',
  Grade: 'nillable',
  ID: 'number',
  LanguageForAssessment: 'omitted',
  Level: 'nillable',
  ParticipationEndDate: 'omitted',
  ParticipationStartDate: 'omitted',
  QualificationType: 'omitted',
  Restriction: 'omitted',
  ReturnNumber: 'omitted',
  Source: 'nillable',
  Status: 'omitted',
  Subject: 'nillable',
  SubjectCode: 'nillable',
  UnderDataChallenge: 'omitted',
} as const;

/** The record field behind a member: the member name with a lower-case first letter (`ID` → `id`). */
const fieldOf = (member: string): keyof LearningEvent =>
  (member === 'ID' ? 'id' : member[0]?.toLowerCase() + member.slice(1)) as keyof LearningEvent;

export const learningEventNode = (ev: LearningEvent): WNode =>
  el(
    'a:LearningEvent',
    Object.entries(EVENT_MEMBERS).map(([member, rule]) => {
      const v = ev[fieldOf(member)] as string | number | undefined;
      if (rule === 'number') return el(`a:${member}`, String(v));
      return rule === 'nillable'
        ? m('a', member, v as string | undefined)
        : e('a', member, v as string | undefined);
    }),
  );

const dateTime = (d: string | undefined) => (d ? `${d}T00:00:00` : undefined);
const upper = (s: string | undefined) => (s ? s.toUpperCase() : undefined);

/** The MIAPModel learner (b prefix, every member nillable, LinkedUlns as an array of strings). */
export const miapModelLearner = (l: LearnerRecord, master: LearnerRecord | undefined): WNode =>
  el(
    'a:Learner',
    [
      ...members('b', {
        AbilityToShare: l.abilityToShare,
        AtsLearnerPreference: null,
        BirthDateVerification: '0',
        CountryOfAddress: null,
        CountryOfBirth: null,
        CountryOfDomicle: null,
        CountryOfLastKnownAddress: null,
        CreatedDate: dateTime(l.createdDate),
        CreatedViaChannel: '3',
        DateOfAddressCapture: dateTime(l.dateOfAddressCapture),
        DateOfBirth: dateTime(l.dateOfBirth),
        DateOfDeath: null,
        DeathDateVerification: '0',
        Deceased: '0',
        DeceasedDate: null,
        DisabilityCode: '0',
        EmailAddress: l.emailAddress,
        EthnicityCode: null,
        EthnicityVerification: '0',
        EtlLoadId: null,
        FamilyName: l.familyName,
        FamilyNameAt16: l.familyNameAtAge16,
        FamilyNameFirst: null,
        FirstEstablismentId: '0',
        Gender: l.gender,
        GivenName: l.givenName,
        InReceiptOfDsa: '0',
        Initials: null,
        LastCompiledLearnerPlanReport: null,
        LastCompiledLearnerRecordReport: null,
        LastKnownAddressChanged: 'false',
        LastKnownAddressCountyOrCity: l.addressCountyOrCity,
        LastKnownAddressLine1: l.addressLine1,
        LastKnownAddressLine2: l.addressLine2,
        LastKnownAddressQualififer: '0',
        LastKnownAddressTown: l.addressTown,
        LastKnownGender: l.gender,
        LastKnownPostCode: l.postcode,
        LastUpdatedAction: null,
        LastUpdatedDate: dateTime(l.lastUpdatedDate),
        LastUpdatedLrbUsername: null,
        LastUpdatedLrsUsername: null,
        LastUpdatedSearchKey: null,
        LastUpdatedViaChannel: '3',
        LearningDifficultyCode: '0',
      }),
      el(
        'b:LinkedUlns',
        l.linkedUlns.map((u) => el('c:string', u)),
        { 'xmlns:c': NS_ARRAYS },
      ),
      ...members('b', {
        ManualUpdate: 'false',
        MaritalStatus: '0',
        MaritalStatusVerification: '0',
        MasterUln: master && master !== l ? master.uln : null,
        MiddleOtherName: l.middleOtherName,
        NameSuffix: null,
        NationalInsuranceNumber: null,
        Nationality: l.nationality,
        NextDataChallengeNo: null,
        NormalisedFamilyName: upper(l.familyName),
        NormalisedGivenName: upper(l.givenName),
        NormalisedOtherNames: upper(l.middleOtherName),
        NormalisedPerferredGivenName: upper(l.preferredGivenName),
        NormalisedPreviousFamilyName: upper(l.previousFamilyName),
        Notes: l.notes ?? null,
        OtherVerificationDescription: l.otherVerificationDescription,
        PlaceOfBirth: l.placeOfBirth,
        PotentialDuplicateSearchKey: null,
        PreferredFamilyFirstNameFirst: null,
        PreferredFamilyName: null,
        PreferredGivenName: l.preferredGivenName,
        PreviousFamilyName: l.previousFamilyName,
        ReasonForDeletion: null,
        RecordStatus: '1',
        ReferenceNumber: null,
        RegisteredByOrganisationRef: l.registeredByOrganisationRef,
        RestrictedUse: null,
        SchoolAtAge16: l.schoolAtAge16,
        ScottishCandidateNumber: l.scottishCandidateNumber,
        SecretQuestionId: null,
        SecurityAnswer: null,
        SenType: '0',
        SequentialVersionNumber: String(l.versionNumber),
        TelephoneNumber: l.telephoneNumber,
        TierLevel: l.tierLevel ?? '0',
        Title: l.title,
        Uln: l.uln,
        UniqueCandidateIdentifier: null,
        UniquePupilNumber: null,
        VerificationType: l.verificationType ?? '0',
        VersionNumber: String(l.versionNumber),
      }),
    ],
    { 'xmlns:b': NS_MIAP_MODEL },
  );
