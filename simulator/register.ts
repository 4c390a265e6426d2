/** The simulator's learner register: state, look-ups, matching, registration and updates. */
import {
  closeDates,
  type DemographicQuery,
  gradeDemographics,
  matchFamily,
  matchGiven,
  normName,
  normPostcode,
} from './matching.js';
import { type AuditEntry, cloneLearner, type LearnerRecord, type LearningEvent } from './model.js';
import { createPrng, type Prng } from './prng.js';
import { isoDate } from './seed/builders.js';
import { generateRegister, type NotableLearner } from './seed/register.js';
import { isValidUln, makeUln } from './uln.js';

export const TOO_MANY_THRESHOLD = 10;

export interface DemographicResult {
  readonly code: 'WSRC0001' | 'WSRC0002' | 'WSRC0003' | 'WSRC0004' | 'WSRC0022';
  /** Records to return (masters), with whether the master was substituted for a linked record. */
  readonly learners: { learner: LearnerRecord; substituted: boolean }[];
}

interface RecentSearch {
  readonly org: string;
  readonly key: string;
  readonly at: number;
  readonly code: string;
}

export interface RegisterOptions {
  readonly seed: number;
  readonly bulkCount?: number;
  /** How long a demographic search allows a registration of the same person, in ms. */
  registerSearchWindowMs: number;
  /** After a possible-match search, how long before registering is allowed, in ms. */
  registerPossibleMinDelayMs: number;
}

export const personKey = (p: {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  gender: string;
  postcode: string;
}): string =>
  [normName(p.givenName), normName(p.familyName), p.dateOfBirth, p.gender, normPostcode(p.postcode)].join(
    '|',
  );

export const nowDateTime = (d = new Date()): string => d.toISOString().slice(0, 19);

export class LearnerRegister {
  readonly byUln = new Map<string, LearnerRecord>();
  private readonly byDob = new Map<string, LearnerRecord[]>();
  private recent: RecentSearch[] = [];
  private ulnRng: Prng;
  private eventId: number;
  notable: NotableLearner[] = [];
  verifiable: LearnerRecord[] = [];
  /** ULNs registered since start or reset. */
  registered: string[] = [];

  constructor(readonly options: RegisterOptions) {
    this.ulnRng = createPrng(options.seed ^ 0x5eed);
    this.eventId = 0;
    this.reset();
  }

  reset(): void {
    const seeded = generateRegister(this.options.seed, this.options.bulkCount);
    this.byUln.clear();
    this.byDob.clear();
    this.recent = [];
    this.registered = [];
    this.ulnRng = createPrng(this.options.seed ^ 0x5eed);
    this.eventId = seeded.nextEventId;
    for (const l of seeded.learners) this.index(l);
    this.notable = seeded.notable;
    this.verifiable = seeded.verifiable;
  }

  get size(): number {
    return this.byUln.size;
  }

  private index(l: LearnerRecord): void {
    this.byUln.set(l.uln, l);
    const list = this.byDob.get(l.dateOfBirth);
    if (list) list.push(l);
    else this.byDob.set(l.dateOfBirth, [l]);
  }

  private reindexDob(l: LearnerRecord, oldDob: string): void {
    const list = this.byDob.get(oldDob);
    if (list)
      this.byDob.set(
        oldDob,
        list.filter((x) => x !== l),
      );
    const next = this.byDob.get(l.dateOfBirth);
    if (next) next.push(l);
    else this.byDob.set(l.dateOfBirth, [l]);
  }

  get(uln: string): LearnerRecord | undefined {
    return this.byUln.get(uln);
  }

  /** The master record of a ULN (itself when it is a master). */
  master(l: LearnerRecord): LearnerRecord {
    return l.masterUln ? (this.byUln.get(l.masterUln) ?? l) : l;
  }

  snapshot(uln: string): LearnerRecord | undefined {
    const l = this.byUln.get(uln);
    return l ? cloneLearner(l) : undefined;
  }

  nextEventId(): number {
    this.eventId += 1;
    return this.eventId;
  }

  audit(l: LearnerRecord, entry: Omit<AuditEntry, 'dateTime'>): void {
    l.audit.push({ ...entry, dateTime: nowDateTime() });
  }

  addEvent(l: LearnerRecord, ev: Omit<LearningEvent, 'id'>): void {
    l.events.push({ ...ev, id: this.nextEventId() });
  }

  searchDemographics(q: DemographicQuery): DemographicResult {
    const candidates = [q.dateOfBirth, ...closeDates(q.dateOfBirth)].flatMap((d) => this.byDob.get(d) ?? []);
    const exact: LearnerRecord[] = [];
    const possible: LearnerRecord[] = [];
    for (const l of candidates) {
      const g = gradeDemographics(q, l);
      if (g === 'exact') exact.push(l);
      else if (g === 'possible') possible.push(l);
    }
    const collapse = (ls: LearnerRecord[]) => {
      const out = new Map<string, { learner: LearnerRecord; substituted: boolean }>();
      for (const l of ls) {
        const m = this.master(l);
        const prev = out.get(m.uln);
        const substituted = m !== l;
        if (!prev) out.set(m.uln, { learner: m, substituted });
        else if (!substituted) prev.substituted = false;
      }
      return [...out.values()];
    };
    const exactMasters = collapse(exact);
    if (exactMasters.length === 1) {
      const only = exactMasters[0] as { learner: LearnerRecord; substituted: boolean };
      return { code: only.substituted ? 'WSRC0022' : 'WSRC0004', learners: [only] };
    }
    const all = collapse([...exact, ...possible]);
    if (all.length === 0) return { code: 'WSRC0001', learners: [] };
    if (all.length > TOO_MANY_THRESHOLD) return { code: 'WSRC0002', learners: [] };
    return { code: 'WSRC0003', learners: all };
  }

  recordSearch(org: string, q: DemographicQuery, code: string): void {
    const now = Date.now();
    this.recent = this.recent.filter((r) => now - r.at <= this.options.registerSearchWindowMs);
    this.recent.push({ org, key: personKey(q), at: now, code });
  }

  /** Whether `org` may register this person now (find-before-register). */
  searchedRecently(org: string, p: Parameters<typeof personKey>[0]): boolean {
    const now = Date.now();
    const key = personKey(p);
    return this.recent.some(
      (r) =>
        r.org === org &&
        r.key === key &&
        now - r.at <= this.options.registerSearchWindowMs &&
        (r.code === 'WSRC0001' ||
          (r.code === 'WSRC0003' && now - r.at >= this.options.registerPossibleMinDelayMs)),
    );
  }

  /** An existing master record with the same five mandatory demographics. */
  duplicateOf(p: Parameters<typeof personKey>[0]): LearnerRecord | undefined {
    return (this.byDob.get(p.dateOfBirth) ?? []).find(
      (l) =>
        !l.masterUln &&
        matchGiven(p.givenName, l) === 'exact' &&
        matchFamily(p.familyName, l) === 'exact' &&
        l.gender === p.gender &&
        normPostcode(l.postcode) === normPostcode(p.postcode),
    );
  }

  newUln(): string {
    for (;;) {
      const uln = makeUln(this.ulnRng.int);
      if (!this.byUln.has(uln) && isValidUln(uln)) return uln;
    }
  }

  /** Adds a new learner record and returns it. */
  create(
    fields: Omit<
      LearnerRecord,
      | 'uln'
      | 'createdDate'
      | 'lastUpdatedDate'
      | 'versionNumber'
      | 'linkedUlns'
      | 'events'
      | 'audit'
      | 'learnerStatus'
    >,
  ): LearnerRecord {
    const today = isoDate(new Date());
    const l: LearnerRecord = {
      ...fields,
      uln: this.newUln(),
      createdDate: today,
      lastUpdatedDate: today,
      learnerStatus: '1',
      linkedUlns: [],
      versionNumber: 1,
      events: [],
      audit: [],
    };
    this.index(l);
    this.registered.push(l.uln);
    return l;
  }

  /** Applies changed fields to a record, bumps its version, keeps the DOB index right. */
  apply(l: LearnerRecord, changes: Partial<LearnerRecord>): void {
    const oldDob = l.dateOfBirth;
    Object.assign(l, changes);
    l.versionNumber += 1;
    l.lastUpdatedDate = isoDate(new Date());
    if (l.dateOfBirth !== oldDob) this.reindexDob(l, oldDob);
  }
}
