/**
 * The generators of the seeded register: dates, postcodes, ULNs, learning events and learners drawn
 * from a seeded PRNG. Every draw happens in a fixed order, so the same seed gives the same register.
 */
import type { Gender, LearnerRecord, LearningEvent } from '../model.js';
import type { Prng } from '../prng.js';
import { makeUln } from '../uln.js';
import {
  AO_GRADES,
  AO_QUALS,
  AREAS,
  FAMILY,
  FEMALE,
  ILR_AIMS,
  INWARD_LETTERS,
  MALE,
  NPD_GRADES,
  NPD_QUALS,
  PLACES,
  PROVIDERS,
  SCHOOLS,
  STREETS,
} from './vocabulary.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
export const isoDate = (d: Date) =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

export interface GenContext {
  readonly rng: Prng;
  readonly used: Set<string>;
  eventId: number;
}

export const newUln = (ctx: GenContext): string => {
  for (;;) {
    const uln = makeUln(ctx.rng.int);
    if (!ctx.used.has(uln)) {
      ctx.used.add(uln);
      return uln;
    }
  }
};

const randomDate = (rng: Prng, fromYear: number, toYear: number): string => {
  const from = Date.UTC(fromYear, 0, 1);
  const to = Date.UTC(toYear, 11, 31);
  return isoDate(new Date(from + rng.int(Math.floor((to - from) / 86_400_000)) * 86_400_000));
};

export const randomPostcode = (rng: Prng, area?: string): string => {
  const a = area ?? rng.pick(AREAS).area;
  return `${a}${1 + rng.int(20)} ${rng.int(10)}${rng.pick([...INWARD_LETTERS])}${rng.pick([...INWARD_LETTERS])}`;
};

type Qualification = {
  readonly qualificationType: string;
  readonly subject: string;
  readonly subjectCode: string;
};
const qualification = (q: Qualification): Qualification => ({
  qualificationType: q.qualificationType,
  subject: q.subject,
  subjectCode: q.subjectCode,
});

/** One generated learning event of `source`; the draws happen in a fixed order, so a seed gives the same events. */
const makeEvent = (
  ctx: GenContext,
  source: 'ILR' | 'NPD' | 'AO',
  year: number,
  award: string,
  loaded: string,
): LearningEvent => {
  const { rng } = ctx;
  const common = {
    id: ctx.eventId,
    achievementAwardDate: award,
    credits: 0,
    dateLoaded: loaded,
    status: 'F',
    underDataChallenge: 'N',
  };
  if (source === 'AO') {
    const q = rng.pick(AO_QUALS);
    return {
      ...common,
      ...qualification(q),
      source,
      achievementProviderName: '',
      achievementProviderUkprn: '',
      awardingOrganisationName: 'Cambridge International Examinations',
      awardingOrganisationUkprn: 'TEST0045',
      grade: rng.pick(AO_GRADES),
      languageForAssessment: 'English',
      level: q.level,
    };
  }
  const p = rng.pick(PROVIDERS);
  const provider = {
    ...common,
    achievementProviderName: p.name,
    achievementProviderUkprn: p.ukprn,
    restriction: '0',
  };
  if (source === 'ILR') {
    return {
      ...provider,
      ...qualification(rng.pick(ILR_AIMS)),
      source,
      awardingOrganisationName: 'UNKNOWN',
      awardingOrganisationUkprn: 'UNKNWN',
      collectionType: 'W',
      grade: '9999999999',
      participationEndDate: award,
      participationStartDate: `${year - 1}-09-0${1 + rng.int(9)}`,
      returnNumber: '02',
    };
  }
  const q = rng.pick(NPD_QUALS);
  return {
    ...provider,
    ...qualification(q),
    source,
    awardingOrganisationName: q.ao,
    awardingOrganisationUkprn: q.aoUkprn,
    collectionType: 'A',
    grade: rng.pick(NPD_GRADES),
    participationEndDate: '',
    participationStartDate: '',
    returnNumber: '01',
  };
};

export const makeEvents = (ctx: GenContext, dob: string, count: number): LearningEvent[] => {
  const { rng } = ctx;
  const birthYear = Number(dob.slice(0, 4));
  const events: LearningEvent[] = [];
  for (let i = 0; i < count; i++) {
    const year = Math.min(2025, birthYear + 16 + rng.int(6));
    const award = `${year}-${pad(6 + rng.int(4))}-${pad(1 + rng.int(28))}`;
    const loaded = `${Math.min(2026, year + 1)}-${pad(1 + rng.int(12))}-${pad(1 + rng.int(28))} ${pad(rng.int(24))}:${pad(rng.int(60))}:${pad(rng.int(60))}`;
    const source = rng.pick(['ILR', 'NPD', 'AO'] as const);
    ctx.eventId += 1 + rng.int(50);
    events.push(makeEvent(ctx, source, year, award, loaded));
  }
  return events;
};

export interface Person {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  gender: Gender;
  postcode: string;
}

export const makeLearner = (
  ctx: GenContext,
  person: Partial<Person> & { uln?: string },
  extra: Partial<LearnerRecord> = {},
) => {
  const { rng } = ctx;
  const gender: Gender = person.gender ?? (rng.chance(0.5) ? '1' : '2');
  const givenName = person.givenName ?? rng.pick(gender === '1' ? MALE : FEMALE);
  const familyName = person.familyName ?? rng.pick(FAMILY);
  const dateOfBirth = person.dateOfBirth ?? randomDate(rng, 1975, 2009);
  const area = rng.pick(AREAS);
  const postcode = person.postcode ?? randomPostcode(rng, area.area);
  const created = randomDate(rng, 2008, 2020);
  const uln = person.uln ?? newUln(ctx);
  ctx.used.add(uln);
  const learner: LearnerRecord = {
    uln,
    createdDate: created,
    lastUpdatedDate: created,
    title: gender === '1' ? 'Mr' : rng.pick(['Miss', 'Ms', 'Mrs']),
    givenName,
    familyName,
    preferredGivenName: givenName,
    familyNameAtAge16: familyName.toUpperCase(),
    schoolAtAge16: rng.pick(SCHOOLS),
    addressLine1: `${1 + rng.int(120)} ${rng.pick(STREETS)}`,
    addressTown: area.town,
    addressCountyOrCity: area.county,
    postcode,
    dateOfAddressCapture: created,
    dateOfBirth,
    placeOfBirth: rng.pick(PLACES),
    gender,
    emailAddress: `${givenName.toLowerCase()}.${familyName.toLowerCase().replace(/[^a-z]/g, '')}@example.org`,
    verificationType: String(rng.int(8)),
    tierLevel: String(rng.int(3)),
    abilityToShare: '1',
    learnerStatus: '1',
    linkedUlns: [],
    notes: '',
    versionNumber: 1,
    events: makeEvents(ctx, dateOfBirth, rng.int(5)),
    audit: [],
    ...extra,
  };
  return learner;
};
