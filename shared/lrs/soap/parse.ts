/**
 * Response parsing: raw SOAP XML → typed OperationResponse, or a parsed fault.
 * Namespace-aware for the envelope, prefix-agnostic and order-tolerant for the content (children are
 * matched by local name, whatever their prefix or qualification); `i:nil`, empty and absent all mean
 * "no value"; repeated elements always give arrays.
 */

import { OPERATIONS, type OperationId } from '../contract/operations.js';
import type { OperationResponse } from '../contract/responses.js';
import { isFault, type ParsedFault, readFault } from './faults.js';
import {
  child,
  childrenNamed,
  ownText,
  type ParseLimits,
  parseXml,
  textOf,
  XmlParseError,
  type XNode,
} from './xml.js';

export type ParsedEnvelope<K extends OperationId> =
  | { readonly kind: 'response'; readonly response: OperationResponse<K> }
  | { readonly kind: 'fault'; readonly fault: ParsedFault }
  | { readonly kind: 'unexpected'; readonly reason: string };

// ---------------------------------------------------------------- field tables

type Kind = 's' | 'i' | 'n' | 'yn' | 'list';
type Table = Readonly<Record<string, readonly [string, Kind]>>;

const s = (key: string): readonly [string, Kind] => [key, 's'];

const toInt = (v: string): number | undefined => {
  const n = Number.parseInt(v.trim(), 10);
  return Number.isFinite(n) ? n : undefined;
};

/** Maps the children of `node` through a table in one pass; unknown children are ignored. */
const mapNode = (node: XNode, table: Table): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const c of node.children) {
    const entry = table[c.name];
    if (!entry) continue;
    const [key, kind] = entry;
    if (kind === 'list') {
      out[key] = c.children.map(ownText).filter((v): v is string => v !== undefined);
      continue;
    }
    if (c.nil || c.text === '') continue;
    const v = c.text;
    if (kind === 's') out[key] = v;
    else if (kind === 'i' || kind === 'n') {
      const n = kind === 'i' ? toInt(v) : Number(v.trim());
      if (n !== undefined && Number.isFinite(n)) out[key] = n;
    } else if (kind === 'yn') out[key] = v.trim().toUpperCase() === 'Y';
  }
  return out;
};

/**
 * The JSON name of an element: its leading capitals in lower case, but for the capital that starts the
 * next word (ResponseCode → responseCode, ULN → uln, MISIdentifier → misIdentifier).
 */
const jsonName = (element: string): string => {
  const capitals = /^[A-Z]*/.exec(element)?.[0].length ?? 0;
  const cut = capitals > 1 && capitals < element.length ? capitals - 1 : capitals;
  return element.slice(0, cut).toLowerCase() + element.slice(cut);
};

/** Elements of one kind under their JSON names, listed by element name (separated by white space). */
const fields = (kind: Kind, elements: string): Table =>
  Object.fromEntries(
    elements
      .split(/\s+/)
      .filter(Boolean)
      .map((e) => [e, [jsonName(e), kind] as const]),
  );

/** The names from the past, the address and the birth details, shared by both learner records. */
const PAST_NAMES_AND_ADDRESS = fields(
  's',
  `PreviousFamilyName FamilyNameAtAge16 SchoolAtAge16 LastKnownAddressLine1 LastKnownAddressLine2
   LastKnownAddressTown LastKnownAddressCountyOrCity LastKnownPostCode DateOfAddressCapture DateOfBirth
   PlaceOfBirth`,
);

const LEARNER: Table = {
  ...fields(
    's',
    `CreatedDate LastUpdatedDate ULN Title GivenName MiddleOtherName FamilyName PreferredGivenName Gender
     EmailAddress Nationality ScottishCandidateNumber VerificationType OtherVerificationDescription TierLevel
     AbilityToShare LearnerStatus Notes`,
  ),
  ...PAST_NAMES_AND_ADDRESS,
  MasterSubstituted: ['masterSubstituted', 'yn'],
  LinkedULNs: ['linkedUlns', 'list'],
  VersionNumber: ['versionNumber', 'i'],
};

const VERIFIED_LEARNER: Table = {
  ...fields(
    's',
    `MISIdentifier SearchedFamilyName SearchedGivenName SearchedDateOfBirth SearchedGender ResponseCode ULN
     FamilyName GivenName DateOfBirth Gender`,
  ),
  SearchedULN: s('searchedUln'),
};

const BATCH_LEARNER: Table = {
  ...fields(
    's',
    `ULN MISIdentifier Title GivenName PreferredGivenName MiddleOtherName FamilyName EmailAddress Gender
     Nationality ScottishCandidateNumber AbilityToShare VerificationType OtherVerificationDescription Notes
     ReturnCode`,
  ),
  ...PAST_NAMES_AND_ADDRESS,
};

const LEARNING_EVENT: Table = {
  ...fields(
    's',
    `AchievementAwardDate AchievementProviderName AchievementProviderUkprn AwardingOrganisationName
     AwardingOrganisationUkprn CollectionType DateLoaded Grade LanguageForAssessment Level ParticipationEndDate
     ParticipationStartDate QualificationType Restriction ReturnNumber Source Status Subject SubjectCode
     UnderDataChallenge`,
  ),
  ID: ['id', 'i'],
  Credits: ['credits', 'n'],
};

const ACHIEVEMENT_JOB: Table = {
  ...fields(
    's',
    `ResponseCode Status AchievementBatchErrorFile Duration EndDate Filename RejectionReason StartDate
     SubmittedDate Type User`,
  ),
  ...fields(
    'i',
    `AchievementsCreated AchievementsPromotedToFinal AchievementsReinstated AchievementsUpdated
     AchievementsWithdrawn BusinessRuleErrors FieldDataErrors LearnerDataErrors NumberOfRecords
     SuccessfulFinalAchievements SuccessfulProvisionalAchievements`,
  ),
  JobID: ['jobId', 'i'],
  PercentageSuccessfulRecords: ['percentageSuccessfulRecords', 'n'],
};

const BATCH_JOB = fields('s', 'JobStatus JobStartedDateTime JobFinishedDateTime');

// ---------------------------------------------------------------- per-operation mappers

const code = (node: XNode | undefined): string => textOf(node, 'ResponseCode')?.trim() ?? '';

const learners = (node: XNode): OperationResponse<'findLearnerByUln'>['learners'] =>
  childrenNamed(node, 'Learner').map(
    (l) => ({ masterSubstituted: false, linkedUlns: [], ...mapNode(l, LEARNER) }) as never,
  );

const find = (node: XNode): OperationResponse<'findLearnerByUln'> => {
  const searchedUln = textOf(node, 'ULN');
  return { responseCode: code(node), ...(searchedUln ? { searchedUln } : {}), learners: learners(node) };
};

const verified = (node: XNode) =>
  ({
    ...mapNode(node, VERIFIED_LEARNER),
    failureFlags: childrenNamed(node, 'FailureFlag').map(ownText).filter(Boolean),
  }) as never;

/** The R9 result element inside `<Op>Response`. */
const r9Result = (body: XNode, op: OperationId): XNode | undefined => {
  const def = OPERATIONS[op];
  return child(body, def.result?.name ?? '');
};

const camel = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

type Mapper<K extends OperationId> = (node: XNode) => OperationResponse<K>;
type Mappers = { [K in OperationId]: Mapper<K> };

const MAPPERS: Mappers = {
  findLearnerByUln: find,
  findLearnerByDemographics: find,
  verifyLearner: (node) => {
    const v = child(node, 'VerifiedLearner');
    const verifiedLearner = v ? verified(v) : ({ failureFlags: [] } as never);
    return {
      responseCode: (verifiedLearner as { responseCode?: string }).responseCode ?? '',
      verifiedLearner,
    };
  },
  registerLearner: (node) => {
    const uln = textOf(node, 'ULN');
    return { responseCode: code(node), ...(uln ? { uln } : {}) };
  },
  updateLearner: (node) => ({ responseCode: code(node) }),
  submitBatchRegistration: (node) => {
    const jobId = textOf(node, 'JobID')?.trim();
    return { responseCode: code(node), ...(jobId ? { jobId } : {}) };
  },
  getBatchRegistrationOutput: (node) =>
    ({
      ...mapNode(node, {
        ...BATCH_JOB,
        ...fields(
          'i',
          `NewLearnersCount ExistsUpdatedLearnersCount PossibleMatchLearnersCount LearnersNotFoundCount
           RejectedLearnersCount`,
        ),
      }),
      responseCode: code(node),
      learners: childrenNamed(node, 'Learner').map((l) => mapNode(l, BATCH_LEARNER)),
    }) as never,
  submitVerifyBatch: (node) => {
    const jobId = textOf(node, 'JobID')?.trim();
    return { responseCode: code(node), ...(jobId ? { jobId } : {}) };
  },
  getVerifyBatchOutput: (node) =>
    ({
      ...mapNode(node, BATCH_JOB),
      responseCode: code(node),
      verifiedLearners: childrenNamed(node, 'VerifiedLearner').map(verified),
    }) as never,
  retrieveUlns: (node) => {
    const list = child(node, 'RetrievedULNs');
    return {
      responseCode: 'OK',
      retrievedUlns: childrenNamed(list, 'VerifiedULN').map(
        (v) =>
          mapNode(v, {
            ...fields('s', 'ULN ResponseCode FamilyName GivenName DateOfBirth Gender'),
            MasterULN: s('masterUln'),
          }) as never,
      ),
    };
  },
  getLearningEvents: (node) => {
    const record = child(node, 'LearnerRecord');
    const events = record
      ? childrenNamed(record, 'LearningEvent').map((e) => mapNode(e, LEARNING_EVENT))
      : [];
    const foundUln = textOf(node, 'FoundULN')?.trim();
    const incomingUln = textOf(node, 'IncomingULN')?.trim();
    return {
      responseCode: code(node),
      ...(foundUln ? { foundUln } : {}),
      ...(incomingUln ? { incomingUln } : {}),
      learningEvents: events as never,
    };
  },
  getLearnerByUln: (node) => {
    const out = mapNode(node, { Uln: s('uln'), FamilyName: s('familyName'), GivenName: s('givenName') });
    const l = child(node, 'Learner');
    let learner: Record<string, string | number | string[]> | undefined;
    if (l && !l.nil) {
      learner = {};
      for (const c of l.children) {
        if (c.children.length > 0 || c.name === 'LinkedUlns') {
          learner[camel(c.name)] = c.children.map(ownText).filter((v): v is string => v !== undefined);
        } else {
          const v = ownText(c);
          if (v === undefined) continue;
          // VersionNumber is an xs:int, and UpdateLearnerSubsetFields takes it back as a number.
          const n = c.name === 'VersionNumber' ? toInt(v) : undefined;
          learner[camel(c.name)] = n ?? v;
        }
      }
    }
    return { ...(out as object), responseCode: code(node), ...(learner ? { learner } : {}) };
  },
  updateLearnerSubsetFields: (node) => {
    const result = ownText(node)?.trim();
    return {
      responseCode: result && /^[A-Z]{2,6}[0-9]{3,4}$/.test(result) ? result : 'OK',
      ...(result ? { result } : {}),
    };
  },
  viewAudit: (node) => {
    const list = child(node, 'List');
    return {
      ...(mapNode(node, {
        PageCount: ['pageCount', 'i'],
        PageIndex: ['pageIndex', 'i'],
        PageSize: ['pageSize', 'i'],
        SortIndex: s('sortIndex'),
        SortOrder: s('sortOrder'),
        TotalItems: ['totalItems', 'i'],
      }) as object),
      responseCode: code(node) || 'OK',
      entries: (list?.children ?? []).map(
        (e) =>
          mapNode(e, {
            Action: s('action'),
            DateTime: s('dateTime'),
            Organisation: s('organisation'),
            User: s('user'),
          }) as never,
      ),
    };
  },
  getOrganisation: (node) =>
    ({
      ...mapNode(node, {
        DisplayName: s('displayName'),
        OrgRef: s('orgRef'),
        Status: s('status'),
        Ukprn: s('ukprn'),
      }),
      responseCode: code(node),
    }) as never,
  submitAchievementBatch: (node) =>
    ({ ...mapNode(node, { JobId: ['jobId', 'i'] }), responseCode: code(node) }) as never,
  getAchievementBatch: (node) => ({ ...mapNode(node, ACHIEVEMENT_JOB), responseCode: code(node) }) as never,
};

/**
 * Parses a raw SOAP response for an operation. Never throws for well-formed XML: a fault or an
 * unexpected shape is returned as such; malformed XML gives `unexpected`. A parse limit reached
 * throws XmlLimitError.
 */
export const parseResponse = <K extends OperationId>(
  op: K,
  xml: string,
  limits?: ParseLimits,
): ParsedEnvelope<K> => {
  let doc: XNode;
  try {
    doc = parseXml(xml, limits);
  } catch (e) {
    if (e instanceof XmlParseError) return { kind: 'unexpected', reason: 'malformed XML' };
    throw e;
  }
  const envelope = doc.children[0];
  if (envelope?.name !== 'Envelope') return { kind: 'unexpected', reason: 'not a SOAP envelope' };
  const body = child(envelope, 'Body');
  const first = body?.children[0];
  if (!first) return { kind: 'unexpected', reason: 'empty SOAP body' };
  if (isFault(first) || first.name === 'Fault') return { kind: 'fault', fault: readFault(first) };
  const def = OPERATIONS[op];
  if (first.name !== def.response.name) {
    return { kind: 'unexpected', reason: `unexpected response element ${first.name}` };
  }
  const node = def.result ? r9Result(first, op) : first;
  if (!node) return { kind: 'unexpected', reason: `missing ${def.result?.name ?? 'result'}` };
  return { kind: 'response', response: (MAPPERS[op] as Mapper<K>)(node) };
};
