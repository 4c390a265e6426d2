/**
 * The seeded learner register: the recorded LRS test learners (the MoJ fixtures) with their recorded
 * demographics, the generated scenario groups (too many, similar, swapped, linked) and the bulk of
 * plain learners, with the notable ones a developer can use (simulator/README.md).
 */
import type { Gender, LearnerRecord } from '../model.js';
import { createPrng } from '../prng.js';
import { isValidUln } from '../uln.js';
import { type GenContext, makeEvents, makeLearner, randomPostcode } from './builders.js';

export const DEFAULT_SEED = 20261126;
export const BULK_LEARNER_COUNT = 3000;

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

/** What a developer needs to use a learner in a request, and what it demonstrates. */
export const notableOf = (key: string, l: LearnerRecord, demonstrates: string): NotableLearner => ({
  key,
  uln: l.uln,
  givenName: l.givenName,
  familyName: l.familyName,
  dateOfBirth: l.dateOfBirth,
  gender: l.gender,
  postcode: l.postcode,
  demonstrates,
});

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
    notable.push(notableOf(key, l, demonstrates));
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
