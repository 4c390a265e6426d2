/**
 * The simulator's seeded organisations and learner register. Deterministic: the bulk of the
 * register comes from a seeded PRNG, and a few scenario learners reproduce the recorded LRS test
 * learners (the MoJ fixtures) so that a request shaped like those recordings gets the recorded outcome.
 * The notable learners a developer can use are listed in NOTABLE_LEARNERS and in simulator/README.md.
 */
import type { AbilityToShare, Gender, LearnerRecord, LearningEvent } from './model.js';
import { createPrng, type Prng } from './prng.js';
import { isValidUln, makeUln } from './uln.js';

export type OrganisationAccess = 'full' | 'find-only';

export interface SimulatorOrganisation {
  /** Our id for the organisation (what the gateway's credentials secret would be named after). */
  readonly organisationId: string;
  readonly ukprn: string;
  readonly organisationRef: string;
  /** Exactly 16 characters, as the LRS requires. Test-only value. */
  readonly orgPassword: string;
  readonly userName: string;
  readonly vendorId: number;
  readonly displayName: string;
  /** `find-only` organisations get WSEC0006 (insufficient access) on anything but look-ups. */
  readonly access: OrganisationAccess;
  /** Only awarding organisations may use ExternalService (achievement batches). */
  readonly awardingOrganisation: boolean;
}

export const SIMULATOR_ORGANISATIONS: readonly SimulatorOrganisation[] = [
  {
    organisationId: 'local-default',
    ukprn: 'TEST0001',
    organisationRef: 'TST001',
    orgPassword: 'SimulatorPass001',
    userName: 'sim.user',
    vendorId: 1,
    displayName: 'Simulator Test College',
    access: 'full',
    awardingOrganisation: true,
  },
  {
    organisationId: 'second-provider',
    ukprn: 'TEST0002',
    organisationRef: 'TST002',
    orgPassword: 'SimulatorPass002',
    userName: 'sim.user2',
    vendorId: 2,
    displayName: 'Simulator Second Provider',
    access: 'full',
    awardingOrganisation: false,
  },
  {
    organisationId: 'find-only',
    ukprn: 'TEST0003',
    organisationRef: 'TST003',
    orgPassword: 'SimulatorPass003',
    userName: 'sim.lookup',
    vendorId: 3,
    displayName: 'Simulator Look-up Only Organisation',
    access: 'find-only',
    awardingOrganisation: false,
  },
  {
    organisationId: 'awarding-org',
    ukprn: 'TEST0045',
    organisationRef: 'AO0045',
    orgPassword: 'SimulatorPass045',
    userName: 'sim.ao',
    vendorId: 45,
    displayName: 'Cambridge International Examinations',
    access: 'full',
    awardingOrganisation: true,
  },
];

/** The default organisation a local run uses. */
export const DEFAULT_ORGANISATION = SIMULATOR_ORGANISATIONS[0] as SimulatorOrganisation;

/** Other organisations GetOrganisation knows about (providers that appear in learning events). */
export const DIRECTORY_ORGANISATIONS: readonly {
  ukprn: string;
  orgRef: string;
  displayName: string;
  status: string;
}[] = [
  { ukprn: '10030488', orgRef: '103048', displayName: 'SAMPLE CHURCH', status: 'Active' },
  { ukprn: '10033421', orgRef: '103342', displayName: 'VALLEY PARK SCHOOL', status: 'Active' },
  { ukprn: '10007455', orgRef: '100745', displayName: 'NORTHFIELD COLLEGE', status: 'Active' },
  { ukprn: '10001234', orgRef: '100123', displayName: 'RIVERSIDE SIXTH FORM', status: 'Active' },
  { ukprn: '10009999', orgRef: '100999', displayName: 'OLD TOWN COLLEGE', status: 'Closed' },
];

export const DEFAULT_SEED = 20261126;
export const BULK_LEARNER_COUNT = 3000;

const MALE = [
  'Oliver',
  'George',
  'Harry',
  'Jack',
  'Jacob',
  'Noah',
  'Charlie',
  'Thomas',
  'Oscar',
  'William',
  'James',
  'Henry',
  'Leo',
  'Alfie',
  'Joshua',
  'Freddie',
  'Archie',
  'Ethan',
  'Isaac',
  'Alexander',
  'Joseph',
  'Edward',
  'Samuel',
  'Max',
  'Daniel',
  'Arthur',
  'Lucas',
  'Mohammed',
  'Logan',
  'Theo',
] as const;
const FEMALE = [
  'Olivia',
  'Amelia',
  'Isla',
  'Ava',
  'Emily',
  'Isabella',
  'Mia',
  'Poppy',
  'Ella',
  'Lily',
  'Evie',
  'Sophia',
  'Grace',
  'Jessica',
  'Chloe',
  'Ruby',
  'Sophie',
  'Freya',
  'Alice',
  'Daisy',
  'Florence',
  'Matilda',
  'Ivy',
  'Phoebe',
  'Evelyn',
  'Sienna',
  'Harper',
  'Abbie',
  'Megan',
  'Hannah',
] as const;
const FAMILY = [
  'Smith',
  'Jones',
  'Williams',
  'Taylor',
  'Brown',
  'Davies',
  'Evans',
  'Wilson',
  'Thomas',
  'Johnson',
  'Roberts',
  'Robinson',
  'Thompson',
  'Wright',
  'Walker',
  'White',
  'Edwards',
  'Hughes',
  'Green',
  'Hall',
  'Lewis',
  'Harris',
  'Clarke',
  'Patel',
  'Jackson',
  'Wood',
  'Turner',
  'Martin',
  'Cooper',
  'Hill',
  'Ward',
  'Morris',
  'Moore',
  'Clark',
  'Lee',
  'King',
  'Baker',
  'Harrison',
  'Morgan',
  'Allen',
  'James',
  'Scott',
  'Phillips',
  'Watson',
  'Davis',
  'Parker',
  'Price',
  'Bennett',
  'Young',
  'Griffiths',
  'Mitchell',
  'Kelly',
  'Cook',
  'Carter',
  'Richardson',
  'Bailey',
  'Collins',
  'Bell',
  'Shaw',
  'Murphy',
  'Miller',
  'Cox',
  'Richards',
  'Khan',
  'Marshall',
  'Anderson',
  'Simpson',
  'Ellis',
  'Adams',
  'Singh',
  'Begum',
  'Wilkinson',
  'Foster',
  'Chapman',
  'Powell',
  'Webb',
  'Rogers',
  'Gray',
  'Mason',
  "O'Brien",
] as const;
const AREAS = [
  { area: 'CV', town: 'COVENTRY', county: 'WEST MIDLANDS' },
  { area: 'B', town: 'BIRMINGHAM', county: 'WEST MIDLANDS' },
  { area: 'LS', town: 'LEEDS', county: 'WEST YORKSHIRE' },
  { area: 'M', town: 'MANCHESTER', county: 'GREATER MANCHESTER' },
  { area: 'NE', town: 'NEWCASTLE UPON TYNE', county: 'TYNE AND WEAR' },
  { area: 'SO', town: 'SOUTHAMPTON', county: 'HAMPSHIRE' },
  { area: 'BS', town: 'BRISTOL', county: 'AVON' },
  { area: 'NG', town: 'NOTTINGHAM', county: 'NOTTINGHAMSHIRE' },
  { area: 'LU', town: 'LUTON', county: 'BEDFORDSHIRE' },
  { area: 'EX', town: 'EXETER', county: 'DEVON' },
  { area: 'OX', town: 'OXFORD', county: 'OXFORDSHIRE' },
  { area: 'S', town: 'SHEFFIELD', county: 'SOUTH YORKSHIRE' },
] as const;
const STREETS = [
  'HIGH STREET',
  'CHURCH LANE',
  'STATION ROAD',
  'MILL LANE',
  'PARK AVENUE',
  'VICTORIA ROAD',
  'THE GREEN',
];
const PLACES = ['Coventry', 'Leeds', 'Bristol', 'Chard', 'Blean', 'Whittlesey', 'Luton', 'Exeter', 'Oxford'];
const SCHOOLS = [
  'Northfield Academy',
  'Valley Park School',
  'St Mary School',
  'Riverside High School',
  'Kings School',
];
const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

const PROVIDERS = [
  { name: 'SAMPLE CHURCH', ukprn: '10030488' },
  { name: 'VALLEY PARK SCHOOL', ukprn: '10033421' },
  { name: 'NORTHFIELD COLLEGE', ukprn: '10007455' },
  { name: 'RIVERSIDE SIXTH FORM', ukprn: '10001234' },
] as const;
const ILR_AIMS = [
  { qualificationType: 'GCSE', subject: 'GCSE in English Literature', subjectCode: '50079116' },
  {
    qualificationType: 'Certificate',
    subject: 'Certificate in Business Language Competence',
    subjectCode: '10016454',
  },
  { qualificationType: 'NVQ', subject: 'NVQ in Business Administration', subjectCode: '1000323X' },
  {
    qualificationType: 'BTEC National Certificate',
    subject: 'BTEC National Certificate in Engineering',
    subjectCode: '50026173',
  },
] as const;
const NPD_QUALS = [
  {
    ao: 'EDEXCEL Foundation',
    aoUkprn: '100060',
    qualificationType: 'GCE AS level',
    subject: 'EDEXCEL Level 3 Advanced Subsidiary GCE in Government and Politics',
    subjectCode: '50026173',
  },
  {
    ao: 'OCR',
    aoUkprn: '100061',
    qualificationType: 'GCE A level',
    subject: 'OCR Level 3 Advanced GCE in English Literature',
    subjectCode: '50024899',
  },
  {
    ao: 'AQA',
    aoUkprn: '100062',
    qualificationType: 'GCSE',
    subject: 'AQA GCSE in Mathematics',
    subjectCode: '50079207',
  },
] as const;
const AO_QUALS = [
  {
    qualificationType: 'GCSE (A* to G)',
    subject: 'OCR Level 1/Level 2 GCSE in Additional Science B',
    subjectCode: '600/1166/X',
    level: 'Level 1/2',
  },
  {
    qualificationType: 'NVQ/GNVQ Key Skills Unit',
    subject: 'Key Skills in Application of Number',
    subjectCode: 'K/501/5773',
    level: 'Level 1/2',
  },
  {
    qualificationType: 'GCE A level',
    subject: 'Cambridge International A Level in Physics',
    subjectCode: '500/4606/8',
    level: 'Level 3',
  },
] as const;
const NPD_GRADES = ['A*', 'A', 'B', 'C', 'D', 'E', 'U'];
const AO_GRADES = ['Pass', 'Merit', 'Distinction', '1', '2'];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
export const isoDate = (d: Date) =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

interface GenContext {
  readonly rng: Prng;
  readonly used: Set<string>;
  eventId: number;
}

const newUln = (ctx: GenContext): string => {
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

const makeEvents = (ctx: GenContext, dob: string, count: number): LearningEvent[] => {
  const { rng } = ctx;
  const birthYear = Number(dob.slice(0, 4));
  const events: LearningEvent[] = [];
  for (let i = 0; i < count; i++) {
    const year = Math.min(2025, birthYear + 16 + rng.int(6));
    const award = `${year}-${pad(6 + rng.int(4))}-${pad(1 + rng.int(28))}`;
    const loaded = `${Math.min(2026, year + 1)}-${pad(1 + rng.int(12))}-${pad(1 + rng.int(28))} ${pad(rng.int(24))}:${pad(rng.int(60))}:${pad(rng.int(60))}`;
    const kind = rng.pick(['ILR', 'NPD', 'AO'] as const);
    ctx.eventId += 1 + rng.int(50);
    if (kind === 'ILR') {
      const p = rng.pick(PROVIDERS);
      const aim = rng.pick(ILR_AIMS);
      events.push({
        id: ctx.eventId,
        source: 'ILR',
        achievementAwardDate: award,
        achievementProviderName: p.name,
        achievementProviderUkprn: p.ukprn,
        awardingOrganisationName: 'UNKNOWN',
        awardingOrganisationUkprn: 'UNKNWN',
        collectionType: 'W',
        credits: 0,
        dateLoaded: loaded,
        grade: '9999999999',
        participationEndDate: award,
        participationStartDate: `${year - 1}-09-0${1 + rng.int(9)}`,
        qualificationType: aim.qualificationType,
        restriction: '0',
        returnNumber: '02',
        status: 'F',
        subject: aim.subject,
        subjectCode: aim.subjectCode,
        underDataChallenge: 'N',
      });
    } else if (kind === 'NPD') {
      const p = rng.pick(PROVIDERS);
      const q = rng.pick(NPD_QUALS);
      events.push({
        id: ctx.eventId,
        source: 'NPD',
        achievementAwardDate: award,
        achievementProviderName: p.name,
        achievementProviderUkprn: p.ukprn,
        awardingOrganisationName: q.ao,
        awardingOrganisationUkprn: q.aoUkprn,
        collectionType: 'A',
        credits: 0,
        dateLoaded: loaded,
        grade: rng.pick(NPD_GRADES),
        participationEndDate: '',
        participationStartDate: '',
        qualificationType: q.qualificationType,
        restriction: '0',
        returnNumber: '01',
        status: 'F',
        subject: q.subject,
        subjectCode: q.subjectCode,
        underDataChallenge: 'N',
      });
    } else {
      const q = rng.pick(AO_QUALS);
      events.push({
        id: ctx.eventId,
        source: 'AO',
        achievementAwardDate: award,
        achievementProviderName: '',
        achievementProviderUkprn: '',
        awardingOrganisationName: 'Cambridge International Examinations',
        awardingOrganisationUkprn: 'TEST0045',
        credits: 0,
        dateLoaded: loaded,
        grade: rng.pick(AO_GRADES),
        languageForAssessment: 'English',
        level: q.level,
        qualificationType: q.qualificationType,
        status: 'F',
        subject: q.subject,
        subjectCode: q.subjectCode,
        underDataChallenge: 'N',
      });
    }
  }
  return events;
};

interface Person {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  gender: Gender;
  postcode: string;
}

const makeLearner = (
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

/** Keys of the notable learners (simulator/README.md). */
export type NotableKey =
  | 'exact'
  | 'linkedMaster'
  | 'linkedRetired'
  | 'possibleOne'
  | 'possibleTwoA'
  | 'possibleTwoB'
  | 'plrExact'
  | 'notShared'
  | 'tooMany'
  | 'similar'
  | 'swapCheck'
  | 'fpnNotSeen'
  | 'twoLinked'
  | 'bulkFirst';

export interface NotableLearner {
  readonly key: string;
  readonly uln: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly dateOfBirth: string;
  readonly gender: Gender;
  readonly postcode: string;
  readonly demonstrates: string;
}

export interface SeededRegister {
  readonly learners: LearnerRecord[];
  readonly notable: NotableLearner[];
  /** Plain learners (own master record, able to share, no duplicates) for bulk verification runs. */
  readonly verifiable: LearnerRecord[];
  /** The next event id for events added at run time. */
  readonly nextEventId: number;
}

/** Builds the whole register from a seed. Same seed, same register. */
export const generateRegister = (seed = DEFAULT_SEED, bulkCount = BULK_LEARNER_COUNT): SeededRegister => {
  const ctx: GenContext = { rng: createPrng(seed), used: new Set(), eventId: 1000 };
  const learners: LearnerRecord[] = [];
  const notable: NotableLearner[] = [];
  const note = (key: NotableKey, l: LearnerRecord, demonstrates: string) =>
    notable.push({
      key,
      uln: l.uln,
      givenName: l.givenName,
      familyName: l.familyName,
      dateOfBirth: l.dateOfBirth,
      gender: l.gender,
      postcode: l.postcode,
      demonstrates,
    });
  const add = (l: LearnerRecord) => {
    if (!isValidUln(l.uln)) throw new Error(`seed produced an invalid ULN ${l.uln}`);
    learners.push(l);
    return l;
  };

  // 1. The recorded test-environment learners (MoJ fixtures), so recorded requests get recorded outcomes.
  const exact = add(
    makeLearner(
      ctx,
      {
        uln: '1026893096',
        givenName: 'Sample',
        familyName: 'Testname',
        dateOfBirth: '1976-08-16',
        gender: '2',
        postcode: 'CV4 9EE',
      },
      {
        createdDate: '2012-05-25',
        lastUpdatedDate: '2012-05-25',
        title: 'Mrs',
        middleOtherName: 'Tester',
        previousFamilyName: 'OLDTESTNAME',
        familyNameAtAge16: 'TESTNAME',
        schoolAtAge16: 'Test Strategy School Foundation ',
        addressLine1: '1 JOBS LANE',
        addressTown: 'COVENTRY',
        addressCountyOrCity: 'WEST MIDLANDS',
        dateOfAddressCapture: '2009-04-25',
        placeOfBirth: 'Blean ',
        emailAddress: 'sample.testname@aol.compatibilitytest.com',
        scottishCandidateNumber: '845759406',
        verificationType: '1',
        tierLevel: '0',
      },
    ),
  );
  note(
    'exact',
    exact,
    'learnerByDemographics WSRC0004 (search CV49EE matches CV4 9EE); learnerByULN WSRC0004; verifyLearner WSVRC001; update target',
  );
  const master = add(
    makeLearner(
      ctx,
      {
        uln: '6936002314',
        givenName: 'Testing-Sample',
        familyName: 'Test',
        dateOfBirth: '1985-03-27',
        gender: '1',
        postcode: 'AB12 3EQ',
      },
      {
        createdDate: '2012-05-25',
        lastUpdatedDate: '2012-05-25',
        title: 'Mr',
        middleOtherName: 'AllTesting',
        preferredGivenName: 'Sample',
        familyNameAtAge16: 'Testsurname',
        schoolAtAge16: 'Test Academy Bristol ',
        addressLine1: '28 TOLLOHILL SQUARE',
        addressTown: 'ABERDEEN',
        addressCountyOrCity: 'ABERDEENSHIRE',
        dateOfAddressCapture: '2008-07-13',
        placeOfBirth: 'Whittlesey ',
        emailAddress: 'testing-sample.test@inbox.compatibilitytest.com',
        scottishCandidateNumber: '145589606',
        verificationType: '0',
        tierLevel: '0',
        linkedUlns: ['4444599390'],
      },
    ),
  );
  master.events = makeEvents(ctx, master.dateOfBirth, 12);
  const linked = add(
    makeLearner(
      ctx,
      {
        uln: '4444599390',
        givenName: 'Sample',
        familyName: 'Test',
        dateOfBirth: '1985-03-27',
        gender: '1',
        postcode: 'AB12 5EQ',
      },
      {
        createdDate: '2010-02-11',
        lastUpdatedDate: '2012-05-25',
        masterUln: '6936002314',
        preferredGivenName: 'Sample',
      },
    ),
  );
  linked.events = makeEvents(ctx, linked.dateOfBirth, 6);
  note(
    'linkedMaster',
    master,
    'master of a linked learner: learnerByULN WSRC0004 with LinkedULNs; PLR WSRC0004',
  );
  note(
    'linkedRetired',
    linked,
    'linked (merged) ULN: learnerByDemographics/learnerByULN WSRC0022 (master substituted), PLR WSRC0022 (FoundULN = 6936002314), verifyLearner WSVRC002, retrieveULNs WSRC0022',
  );
  const abbie = add(
    makeLearner(
      ctx,
      {
        uln: '7667649978',
        givenName: 'Abbie',
        familyName: 'Evans',
        dateOfBirth: '1994-02-06',
        gender: '9',
        postcode: 'LU4 9QX',
      },
      {
        createdDate: '2008-06-20',
        lastUpdatedDate: '2008-06-20',
        dateOfAddressCapture: '2008-06-20',
        verificationType: '1',
        tierLevel: '1',
        abilityToShare: '0',
        // Sparse, as recorded: no title, preferred name, school, address lines, place of birth or email.
        title: undefined,
        preferredGivenName: undefined,
        familyNameAtAge16: undefined,
        schoolAtAge16: undefined,
        addressLine1: undefined,
        addressTown: undefined,
        addressCountyOrCity: undefined,
        placeOfBirth: undefined,
        emailAddress: undefined,
      },
    ),
  );
  note(
    'possibleOne',
    abbie,
    'search Evans/Abbie/1994-02-06/gender 2/LU49QZ → WSRC0003 with this one learner (gender 9, other postcode)',
  );
  for (const [uln, line1, town, county, postcode] of [
    ['1964986809', '1 TEST GARDENS', 'TESTERS BAY', 'TYNE AND WEAR', 'NE00 1ND'],
    ['8383558804', '14 TESTER DRIVE', 'SOUTHAMPTON', 'HAMPSHIRE', 'SO00 1JX'],
  ] as const) {
    const line2 = uln === '8383558804' ? 'MARCHWOOD' : undefined;
    const twin = add(
      makeLearner(
        ctx,
        { uln, givenName: 'Sample', familyName: 'Tester', dateOfBirth: '1995-06-28', gender: '2', postcode },
        {
          createdDate: '2012-05-25',
          lastUpdatedDate: '2012-05-25',
          title: 'Miss',
          middleOtherName: 'Example',
          familyNameAtAge16: 'TESTER',
          schoolAtAge16: 'Testing Testers School ',
          addressLine1: line1,
          addressLine2: line2,
          addressTown: town,
          addressCountyOrCity: county,
          dateOfAddressCapture: '2010-09-07',
          placeOfBirth: 'Chard ',
          emailAddress: 'sample.tester@yahoo.compatibilitytest.co.uk',
          scottishCandidateNumber: '820208781',
          verificationType: '5',
          tierLevel: '2',
        },
      ),
    );
    note(
      `possibleTwo${uln === '1964986809' ? 'A' : 'B'}`,
      twin,
      'search Tester/Sample/1995-06-28/2/ZZ12ZZ → WSRC0003 with two learners',
    );
  }
  const plr = add(
    makeLearner(ctx, {
      uln: '1174112637',
      givenName: 'Jessica',
      familyName: 'Plrtester',
      dateOfBirth: '1995-09-12',
      gender: '2',
      postcode: 'CV1 2AB',
    }),
  );
  plr.events = makeEvents(ctx, plr.dateOfBirth, 7);
  note(
    'plrExact',
    plr,
    'GetLearnerLearningEvents WSRC0004 with 7 events (ILR, NPD, AO); wrong names → WSEC0208',
  );
  const notShared = add(
    makeLearner(
      ctx,
      {
        uln: '1026922983',
        givenName: 'Daisy',
        familyName: 'Noshare',
        dateOfBirth: '1999-04-03',
        gender: '2',
        postcode: 'LS6 3HN',
      },
      { abilityToShare: '2' },
    ),
  );
  notShared.events = makeEvents(ctx, notShared.dateOfBirth, 3);
  note(
    'notShared',
    notShared,
    'AbilityToShare 2: GetLearnerLearningEvents WSEC0206 (FoundULN set, no events)',
  );

  // 2. Generated scenario groups.
  const everybody: LearnerRecord[] = [];
  for (let i = 0; i < 12; i++) {
    everybody.push(
      add(
        makeLearner(ctx, {
          givenName: 'Everybody',
          familyName: 'Everybody',
          dateOfBirth: '2000-01-01',
          gender: '2',
          postcode: randomPostcode(ctx.rng, 'B'),
        }),
      ),
    );
  }
  note(
    'tooMany',
    everybody[0] as LearnerRecord,
    'one of 12 learners "Everybody Everybody" 2000-01-01 gender 2: search with postcode CV49EE → WSRC0002 (too many)',
  );
  const gen2 = add(
    makeLearner(ctx, {
      givenName: 'Jonathan',
      familyName: 'Similarson',
      gender: '1',
      dateOfBirth: '2003-11-05',
    }),
  );
  note(
    'similar',
    gen2,
    'verifyLearner with given "Jonathon" or family "Simmilarson" → WSVRC003 (similar) with failure flags',
  );
  const swapped = add(
    makeLearner(ctx, { givenName: 'Morgan', familyName: 'Ellis', gender: '2', dateOfBirth: '2001-07-19' }),
  );
  note('swapCheck', swapped, 'verifyLearner with given/family swapped → WSVRC003 with VRF1 and VRF5 only');
  const ats0 = add(
    makeLearner(
      ctx,
      { givenName: 'Hannah', familyName: 'Fpnunseen', gender: '2', dateOfBirth: '2006-02-14' },
      { abilityToShare: '0' },
    ),
  );
  note(
    'fpnNotSeen',
    ats0,
    'AbilityToShare 0 (FPN not seen): learning events are still returned; a change from 0 to 1 is allowed, from 1 or 2 back to 0 is WSRC0014',
  );
  // Linked pairs and a master with two linked ULNs, from the generator.
  for (let i = 0; i < 20; i++) {
    const m = add(makeLearner(ctx, {}));
    const links = i % 5 === 0 ? 2 : 1;
    for (let k = 0; k < links; k++) {
      const l = add(
        makeLearner(
          ctx,
          {
            givenName: m.preferredGivenName ?? m.givenName,
            familyName: m.familyName,
            dateOfBirth: m.dateOfBirth,
            gender: m.gender,
            postcode: randomPostcode(ctx.rng),
          },
          { masterUln: m.uln },
        ),
      );
      m.linkedUlns.push(l.uln);
    }
    if (i === 0) note('twoLinked', m, `master with two linked ULNs (${m.linkedUlns.join(', ')})`);
  }

  // 3. Bulk: plain learners, some not sharing, with ILR/NPD/AO events.
  const verifiable: LearnerRecord[] = [];
  const seenKeys = new Set(learners.map((l) => `${l.givenName}|${l.familyName}|${l.dateOfBirth}`));
  for (let i = 0; i < bulkCount; i++) {
    const l = makeLearner(
      ctx,
      {},
      { abilityToShare: ctx.rng.chance(0.05) ? '2' : ctx.rng.chance(0.05) ? '0' : '1' },
    );
    const key = `${l.givenName}|${l.familyName}|${l.dateOfBirth}`;
    if (seenKeys.has(key)) continue;
    seenKeys.add(key);
    add(l);
    verifiable.push(l);
  }
  note(
    'bulkFirst',
    verifiable[0] as LearnerRecord,
    'first of the generated plain learners (see verifiableLearners())',
  );
  return { learners, notable, verifiable, nextEventId: ctx.eventId + 1 };
};

let cached: SeededRegister | undefined;
const defaultRegister = (): SeededRegister => {
  cached ??= generateRegister();
  return cached;
};

/** The notable learners of the default seed (the table in simulator/README.md). */
export const notableLearners = (): readonly NotableLearner[] => defaultRegister().notable;

/** A notable learner of the default seed by key (see README). Throws on an unknown key. */
export const notableLearner = (key: NotableKey): NotableLearner => {
  const n = defaultRegister().notable.find((x) => x.key === key);
  if (!n) throw new Error(`no notable learner '${key}'`);
  return n;
};

/** `count` distinct plain learners of the default seed that verify (WSVRC001) and find exactly. */
export const verifiableLearners = (count = 1000): readonly NotableLearner[] => {
  const v = defaultRegister().verifiable;
  if (count > v.length) throw new Error(`only ${v.length} verifiable learners are seeded`);
  return v.slice(0, count).map((l) => ({
    key: `bulk-${l.uln}`,
    uln: l.uln,
    givenName: l.givenName,
    familyName: l.familyName,
    dateOfBirth: l.dateOfBirth,
    gender: l.gender,
    postcode: l.postcode,
    demonstrates: 'plain learner',
  }));
};

export type { AbilityToShare };
