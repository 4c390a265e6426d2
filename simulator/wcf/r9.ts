/** LearnerServiceR9.svc: the five R9 operations (PLR learning events, LearnerByUln, subset update, audit, organisations). */
import type { SimState } from '../context.js';
import { invalidAbilityToShareChange } from '../learner-service/register.js';
import { namesIdentify } from '../matching.js';
import type { LearnerRecord, LearningEvent } from '../model.js';
import { DIRECTORY_ORGANISATIONS, SIMULATOR_ORGANISATIONS } from '../seed/organisations.js';
import { isValidUln } from '../uln.js';
import { el, type WNode } from '../xml.js';
import { domainFault, m, NS_TEMPURI, result, txt, type WcfCaller, type WcfHandler } from './envelope.js';
import { learningEventNode, miapModelLearner } from './model.js';

export const R9_OPERATIONS = [
  'GetLearnerLearningEvents',
  'LearnerByUln',
  'UpdateLearnerSubsetFields',
  'ViewAudit',
  'GetOrganisation',
];

/**
 * The record of a valid `uln` and its master, when the names (and the date of birth and gender when
 * given) identify the learner against the record or its master; otherwise undefined.
 */
export const identify = (
  state: SimState,
  uln: string,
  given: string,
  family: string,
  dateOfBirth?: string,
  gender?: string,
): { found: LearnerRecord; master: LearnerRecord } | undefined => {
  const found = isValidUln(uln) ? state.register.get(uln) : undefined;
  if (!found) return undefined;
  const master = state.register.master(found);
  const ok =
    namesIdentify(found, given, family, dateOfBirth, gender) ||
    namesIdentify(master, given, family, dateOfBirth, gender);
  return ok ? { found, master } : undefined;
};

/** Adds an access by the calling organisation to the learner's audit trail. */
const auditAccess = (state: SimState, l: LearnerRecord, action: string, org: WcfCaller): void =>
  state.register.audit(l, { action, organisation: org.displayName, user: org.userName });

// ----- GetLearnerLearningEvents ----------------------------------------------------------------

const getLearnerLearningEvents: WcfHandler = (body, state, org) => {
  const T = NS_TEMPURI;
  const uln = (txt(body, 'uln', T) ?? '').trim();
  const given = txt(body, 'givenName', T) ?? '';
  const family = txt(body, 'familyName', T) ?? '';
  const dob = (txt(body, 'dateOfBirth', T) ?? '').trim();
  const gender = (txt(body, 'gender', T) ?? '').trim();
  const getType = (txt(body, 'getType', T) ?? '').trim().toUpperCase();
  if (getType !== 'FULL' && getType !== 'BRIEF') domainFault('WSEC0001', `Invalid getType '${getType}'.`);
  const userType = (txt(body, 'userType', T) ?? '').trim();
  if (!['LNR', 'ORG', 'SER'].includes(userType)) domainFault('WSEC0001', `Invalid userType '${userType}'.`);
  const out = (code: string, found: string, events: LearningEvent[]) => ({
    code,
    result: result('GetLearnerLearningEvents', [
      el('a:ResponseCode', code),
      el('a:FoundULN', found),
      el('a:IncomingULN', uln),
      el('a:LearnerRecord', events.map(learningEventNode)),
    ]),
  });
  if (!isValidUln(uln)) return out('WSEC0136', '', []);
  const who = identify(state, uln, given, family, dob || undefined, gender || undefined);
  if (!who) return out('WSEC0208', '', []);
  const { found, master } = who;
  auditAccess(state, master, 'Learning events viewed', org);
  if (master.abilityToShare === '2') return out('WSEC0206', master.uln, []);
  const events = [...master.events, ...master.linkedUlns.flatMap((u) => state.register.get(u)?.events ?? [])];
  return out(master !== found ? 'WSRC0022' : 'WSRC0004', master.uln, bySource(events));
};

/** The recorded answers list ILR events, then NPD, then AO (and any other source after); stable within each. */
const SOURCE_ORDER: Readonly<Record<string, number>> = { ILR: 0, NPD: 1, AO: 2 };
const bySource = (events: readonly LearningEvent[]): LearningEvent[] =>
  events
    .map((e, i) => ({ e, i, rank: SOURCE_ORDER[e.source] ?? 3 }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((x) => x.e);

const learnerByUln: WcfHandler = (body, state, org) => {
  const T = NS_TEMPURI;
  const uln = (txt(body, 'uln', T) ?? '').trim();
  const given = txt(body, 'givenName', T) ?? '';
  const family = txt(body, 'familyName', T) ?? '';
  const out = (code: string, learner?: WNode) => ({
    code,
    result: result('LearnerByUln', [
      el('a:ResponseCode', code),
      m('a', 'FamilyName', family),
      m('a', 'GivenName', given),
      learner,
      m('a', 'Uln', uln),
    ]),
  });
  if (!isValidUln(uln)) return out('WSEC0136');
  const who = identify(state, uln, given, family);
  if (!who) return out('WSRC0001');
  auditAccess(state, who.master, 'Learner viewed', org);
  return out(who.master !== who.found ? 'WSRC0022' : 'WSRC0004', miapModelLearner(who.master, who.master));
};

// ----- UpdateLearnerSubsetFields -------------------------------------------------------------------

const ATS = { NotProvided: undefined, FPNNotSeen: '0', FPNSeenShareData: '1' } as const;

const updateLearnerSubsetFields: WcfHandler = (body, state, org) => {
  const T = NS_TEMPURI;
  const uln = (txt(body, 'uln', T) ?? '').trim();
  const version = Number(txt(body, 'versionNumber', T));
  const ats = ATS[(txt(body, 'abilityToShare', T) ?? 'NotProvided') as keyof typeof ATS];
  const out = (code: string) => ({ code, result: el('UpdateLearnerSubsetFieldsResult', code) });
  if (!isValidUln(uln)) return out('WSEC0136');
  const l = state.register.get(uln);
  if (!l || l.masterUln) return out('WSRC0019');
  if (version !== l.versionNumber) return out('WSRC0013');
  if (ats !== undefined && invalidAbilityToShareChange(l.abilityToShare, ats)) return out('WSRC0014');
  const changes: Partial<LearnerRecord> = {};
  const maybe = (
    key: 'emailAddress' | 'telephoneNumber' | 'schoolAtAge16' | 'preferredGivenName',
    param: string,
  ) => {
    const v = txt(body, param, T);
    if (v !== undefined && v !== (l[key] ?? '')) changes[key] = v;
  };
  maybe('emailAddress', 'emailAddress');
  maybe('telephoneNumber', 'telephoneNumber');
  maybe('schoolAtAge16', 'schoolAtAge16');
  maybe('preferredGivenName', 'preferredGivenName');
  if (ats !== undefined && ats !== l.abilityToShare) changes.abilityToShare = ats;
  if (Object.keys(changes).length === 0) return out('WSRC0020');
  state.register.apply(l, changes);
  auditAccess(state, l, 'Learner updated (subset fields)', org);
  return out('WSRC0006');
};

// ----- ViewAudit ------------------------------------------------------------------------------------

export const AUDIT_PAGE_SIZE = 10;

const viewAudit: WcfHandler = (body, state) => {
  const T = NS_TEMPURI;
  const uln = (txt(body, 'learnerUln', T) ?? '').trim();
  const given = txt(body, 'learnerGivenName', T) ?? '';
  const family = txt(body, 'learnerFamilyName', T) ?? '';
  const page = Math.max(1, Number(txt(body, 'page', T)));
  const who = identify(state, uln, given, family);
  const entries = who ? [...who.master.audit].reverse() : [];
  const slice = entries.slice((page - 1) * AUDIT_PAGE_SIZE, page * AUDIT_PAGE_SIZE);
  return {
    code: entries.length > 0 ? 'OK' : 'EMPTY',
    result: result('ViewAudit', [
      el(
        'a:List',
        slice.map((x) =>
          el('a:PlrAccessEntryResponse', [
            m('a', 'Action', x.action),
            el('a:DateTime', x.dateTime),
            m('a', 'Organisation', x.organisation),
            m('a', 'User', x.user),
          ]),
        ),
      ),
      el('a:PageCount', String(Math.ceil(entries.length / AUDIT_PAGE_SIZE))),
      el('a:PageIndex', String(page)),
      el('a:PageSize', String(AUDIT_PAGE_SIZE)),
      el('a:SortIndex', '0'),
      el('a:SortOrder', '0'),
      el('a:TotalItems', String(entries.length)),
    ]),
  };
};

// ----- GetOrganisation -------------------------------------------------------------------------------

const getOrganisation: WcfHandler = (body) => {
  const T = NS_TEMPURI;
  const ukprn = (txt(body, 'ukPrn', T) ?? '').trim().toUpperCase();
  const orgRef = (txt(body, 'orgRef', T) ?? '').trim().toUpperCase();
  const all = [
    ...SIMULATOR_ORGANISATIONS.map((o) => ({
      ukprn: o.ukprn,
      orgRef: o.organisationRef,
      displayName: o.displayName,
      status: 'Active',
    })),
    ...DIRECTORY_ORGANISATIONS,
  ];
  const found = all.find(
    (o) =>
      (ukprn && o.ukprn.toUpperCase() === ukprn) || (!ukprn && orgRef && o.orgRef.toUpperCase() === orgRef),
  );
  const code = found ? 'WSRC0004' : 'WSRC0001';
  return {
    code,
    result: result('GetOrganisation', [
      el('a:ResponseCode', code),
      m('a', 'DisplayName', found?.displayName),
      m('a', 'OrgRef', found?.orgRef),
      m('a', 'Status', found?.status),
      m('a', 'Ukprn', found?.ukprn),
    ]),
  };
};

export const R9_HANDLERS: Readonly<Record<string, WcfHandler>> = {
  GetLearnerLearningEvents: getLearnerLearningEvents,
  LearnerByUln: learnerByUln,
  UpdateLearnerSubsetFields: updateLearnerSubsetFields,
  ViewAudit: viewAudit,
  GetOrganisation: getOrganisation,
};
