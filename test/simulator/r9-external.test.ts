import { describe, expect, it } from 'vitest';
import { DEFAULT_ORGANISATION, notableLearner } from '../../simulator/index.js';
import { SIMULATOR_ORGANISATIONS } from '../../simulator/seed.js';
import { DEFAULT_ORG, useSimulator } from '../support/simulator.js';
import {
  all,
  at,
  bodyOf,
  getAchievementJob,
  getOrganisation,
  learnerByUlnR9,
  plrRequest,
  send,
  submitAchievements,
  updateSubsetFields,
  viewAudit,
} from '../support/simulator-client.js';

const org = DEFAULT_ORG;
const { sim, r9, external: ext } = useSimulator({ batchDurationMs: 60_000 });
const result = (xml: string) => bodyOf(xml).children[0];
/** The result element of the simulator's answer to GetLearnerLearningEvents for these learner details. */
const learningEvents = async (learner: Parameters<typeof plrRequest>[1], who = org) =>
  result((await r9('GetLearnerLearningEvents', plrRequest(who, learner))).body);

describe('GetLearnerLearningEvents', () => {
  const plr = notableLearner('plrExact');
  it('WSRC0004 with the learning events of every source', async () => {
    const res = await r9('GetLearnerLearningEvents', plrRequest(org, plr));
    expect(res.status).toBe(200);
    const r = result(res.body);
    expect(at(r, 'ResponseCode')).toBe('WSRC0004');
    expect(at(r, 'FoundULN')).toBe(plr.uln);
    expect(at(r, 'IncomingULN')).toBe(plr.uln);
    const events = all(
      r?.children.find((c) => c.local === 'LearnerRecord'),
      'LearningEvent',
    );
    expect(events).toHaveLength(sim.learner(plr.uln)?.events.length ?? -1);
    expect(events.length).toBeGreaterThan(0);
  });
  it('lists the events grouped by source, ILR then NPD then AO, as the recorded answers do', async () => {
    for (const who of [plr, notableLearner('linkedRetired')]) {
      const r = await learningEvents(who);
      const sources = all(
        r?.children.find((c) => c.local === 'LearnerRecord'),
        'LearningEvent',
      ).map((e) => at(e, 'Source') as string);
      expect(sources.length).toBeGreaterThan(0);
      const rank = (x: string) => ['ILR', 'NPD', 'AO'].indexOf(x);
      expect(sources.every((x) => rank(x) >= 0)).toBe(true);
      expect(sources).toEqual([...sources].sort((a, b) => rank(a) - rank(b)));
      // Several sources, so the order is really checked.
      if (who === plr) expect(new Set(sources).size).toBeGreaterThan(1);
    }
  });
  it('accepts the UKPRN as OrganisationRef (as a production WCF client sends it) and Ukprn alone (as MoJ sends it)', async () => {
    for (const who of [
      { ...org, orgRef: org.ukprn },
      { ...org, orgRef: undefined },
    ]) {
      const r = await learningEvents(plr, who);
      expect(at(r, 'ResponseCode')).toBe('WSRC0004');
    }
  });
  it('WSRC0022 with FoundULN = master for a linked ULN', async () => {
    const r = await learningEvents({ uln: '4444599390', givenName: 'Sample', familyName: 'Test' });
    expect([at(r, 'ResponseCode'), at(r, 'FoundULN'), at(r, 'IncomingULN')]).toEqual([
      'WSRC0022',
      '6936002314',
      '4444599390',
    ]);
  });
  it('WSEC0206 for a learner who does not share: FoundULN set, no events', async () => {
    const ns = notableLearner('notShared');
    const r = await learningEvents(ns);
    expect([at(r, 'ResponseCode'), at(r, 'FoundULN')]).toEqual(['WSEC0206', ns.uln]);
    expect(r?.children.find((c) => c.local === 'LearnerRecord')?.children).toHaveLength(0);
  });
  it('WSEC0208 when the names do not verify or the ULN is unknown: FoundULN empty', async () => {
    for (const req of [
      { uln: plr.uln, givenName: 'Wrong', familyName: plr.familyName },
      { uln: plr.uln, givenName: plr.givenName, familyName: plr.familyName, dateOfBirth: '1990-01-01' },
      { uln: '1000000043', givenName: 'A', familyName: 'B' },
    ]) {
      const r = await learningEvents(req);
      expect([at(r, 'ResponseCode'), at(r, 'FoundULN')]).toEqual(['WSEC0208', '']);
    }
  });
  it('WSEC0136 for a ULN that fails the check digit', async () => {
    const r = await learningEvents({ uln: '1234567890', givenName: 'A', familyName: 'B' });
    expect(at(r, 'ResponseCode')).toBe('WSEC0136');
  });
  it('refuses a missing SOAPAction with ActionNotSupported, as WCF dispatches on it', async () => {
    const res = await send(sim.url, '/LearnerServiceR9.svc', sim.certs, plrRequest(org, plr));
    expect(res.status).toBe(500);
    expect(res.body).toContain('a:ActionNotSupported');
  });
});

describe('LearnerByUln (R9)', () => {
  it('WSRC0004 with the MIAPModel learner, WSRC0022 for linked, WSRC0001 otherwise', async () => {
    const r = result(
      (await r9('LearnerByUln', learnerByUlnR9(org, '1026893096', 'Sample', 'Testname'))).body,
    );
    expect(at(r, 'ResponseCode')).toBe('WSRC0004');
    expect(at(r, 'Learner', 'Uln')).toBe('1026893096');
    expect(at(r, 'Learner', 'VersionNumber')).toBe('1');
    const linked = result(
      (await r9('LearnerByUln', learnerByUlnR9(org, '4444599390', 'Sample', 'Test'))).body,
    );
    expect([at(linked, 'ResponseCode'), at(linked, 'Learner', 'Uln')]).toEqual(['WSRC0022', '6936002314']);
    const none = result((await r9('LearnerByUln', learnerByUlnR9(org, '1026893096', 'Nobody', 'Else'))).body);
    expect(at(none, 'ResponseCode')).toBe('WSRC0001');
    expect(none?.children.some((c) => c.local === 'Learner')).toBe(false);
  });
});

describe('UpdateLearnerSubsetFields', () => {
  const code = async (p: Parameters<typeof updateSubsetFields>[1]) =>
    bodyOf((await r9('UpdateLearnerSubsetFields', updateSubsetFields(org, p))).body).children[0]?.text;
  it('WSRC0006 on success (version bumps), then WSRC0013 with the stale version, WSRC0020 with no change', async () => {
    expect(await code({ uln: '1026893096', version: 1, email: 'new.address@example.org' })).toBe('WSRC0006');
    expect(sim.learner('1026893096')?.versionNumber).toBe(2);
    expect(sim.learner('1026893096')?.emailAddress).toBe('new.address@example.org');
    expect(await code({ uln: '1026893096', version: 1, email: 'other@example.org' })).toBe('WSRC0013');
    expect(await code({ uln: '1026893096', version: 2, email: 'new.address@example.org' })).toBe('WSRC0020');
  });
  it('WSRC0014 on an invalid ability-to-share change, WSRC0019 on an unknown ULN', async () => {
    expect(await code({ uln: '1026893096', version: 1, ats: 'FPNNotSeen' })).toBe('WSRC0014');
    expect(await code({ uln: '1000000043', version: 1, email: 'x@example.org' })).toBe('WSRC0019');
  });
});

describe('ViewAudit and GetOrganisation', () => {
  it('lists the accesses to a learner record, newest first', async () => {
    const plr = notableLearner('plrExact');
    await r9('GetLearnerLearningEvents', plrRequest(org, plr));
    const r = result((await r9('ViewAudit', viewAudit(org, plr.uln, plr.givenName, plr.familyName))).body);
    expect(at(r, 'TotalItems')).toBe('1');
    const entry = all(
      r?.children.find((c) => c.local === 'List'),
      'PlrAccessEntryResponse',
    )[0];
    expect(at(entry, 'Action')).toBe('Learning events viewed');
    expect(at(entry, 'Organisation')).toBe(DEFAULT_ORGANISATION.displayName);
  });
  it('records updates made through LearnerService with the organisation name, and pages 10 entries at a time', async () => {
    for (let v = 1; v <= 11; v++) {
      const res = await r9(
        'UpdateLearnerSubsetFields',
        updateSubsetFields(org, { uln: '1026893096', version: v, email: `v${v}@example.org` }),
      );
      expect(bodyOf(res.body).children[0]?.text).toBe('WSRC0006');
    }
    const page1 = result((await r9('ViewAudit', viewAudit(org, '1026893096', 'Sample', 'Testname', 1))).body);
    expect([at(page1, 'TotalItems'), at(page1, 'PageCount'), at(page1, 'PageSize')]).toEqual([
      '11',
      '2',
      '10',
    ]);
    const page2 = result((await r9('ViewAudit', viewAudit(org, '1026893096', 'Sample', 'Testname', 2))).body);
    expect(
      all(
        page2?.children.find((c) => c.local === 'List'),
        'PlrAccessEntryResponse',
      ),
    ).toHaveLength(1);
    const wrongNames = result((await r9('ViewAudit', viewAudit(org, '1026893096', 'Not', 'Them'))).body);
    expect(at(wrongNames, 'TotalItems')).toBe('0');
  });
  it('finds an organisation by UKPRN and answers WSRC0001 for an unknown one', async () => {
    const r = result((await r9('GetOrganisation', getOrganisation(org, 'TEST0002'))).body);
    expect([at(r, 'ResponseCode'), at(r, 'OrgRef'), at(r, 'Status')]).toEqual([
      'WSRC0004',
      'TST002',
      'Active',
    ]);
    const none = result((await r9('GetOrganisation', getOrganisation(org, 'ZZZZ9999'))).body);
    expect(at(none, 'ResponseCode')).toBe('WSRC0001');
  });
});

describe('ExternalService achievement batches', () => {
  const plr = notableLearner('plrExact');
  it('submits, reports Waiting/InProgress, then Successful with counts and the new AO event in the PLR', async () => {
    const before = sim.learner(plr.uln)?.events.length ?? 0;
    const sub = result(
      (
        await ext(
          'SubmitAchievementBatchJob',
          submitAchievements(org, [
            { uln: plr.uln, givenName: plr.givenName, familyName: plr.familyName, grade: 'Pass' },
            { uln: '1000000043', givenName: 'No', familyName: 'Body', grade: 'Pass' },
          ]),
        )
      ).body,
    );
    expect(at(sub, 'ResponseCode')).toBe('WSRC0007');
    const jobId = at(sub, 'JobId') as string;
    const first = result((await ext('GetAchievementBatchJob', getAchievementJob(org, jobId))).body);
    expect(at(first, 'Status')).toBe('Waiting');
    expect(at(first, 'ResponseCode')).toBe('WSRC0008');
    sim.finishJobs();
    const done = result((await ext('GetAchievementBatchJob', getAchievementJob(org, jobId))).body);
    expect(at(done, 'Status')).toBe('Successful');
    expect(at(done, 'AchievementsCreated')).toBe('1');
    expect(at(done, 'LearnerDataErrors')).toBe('1');
    expect(at(done, 'NumberOfRecords')).toBe('2');
    expect(at(done, 'PercentageSuccessfulRecords')).toBe('50');
    expect(sim.learner(plr.uln)?.events.length).toBe(before + 1);
  });
  it('InProgress once the job has started (a fifth of its duration)', async () => {
    sim.setTiming({ batchDurationMs: 2000 });
    const sub = result(
      (
        await ext(
          'SubmitAchievementBatchJob',
          submitAchievements(org, [{ uln: plr.uln, givenName: plr.givenName, familyName: plr.familyName }]),
        )
      ).body,
    );
    await new Promise((r) => setTimeout(r, 500));
    const running = result(
      (await ext('GetAchievementBatchJob', getAchievementJob(org, at(sub, 'JobId') as string))).body,
    );
    expect([at(running, 'Status'), at(running, 'ResponseCode')]).toEqual(['InProgress', 'WSRC0008']);
    expect(at(running, 'StartDate')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  });
  it('Failed when nothing in the batch can be processed; WSRC0018 for an unknown job', async () => {
    const sub = result(
      (
        await ext(
          'SubmitAchievementBatchJob',
          submitAchievements(org, [{ uln: '1000000043', givenName: 'No', familyName: 'Body' }]),
        )
      ).body,
    );
    sim.finishJobs();
    const done = result(
      (await ext('GetAchievementBatchJob', getAchievementJob(org, at(sub, 'JobId') as string))).body,
    );
    expect(at(done, 'Status')).toBe('Failed');
    expect(at(done, 'RejectionReason')).toBeTruthy();
    const unknown = result((await ext('GetAchievementBatchJob', getAchievementJob(org, '999'))).body);
    expect(at(unknown, 'ResponseCode')).toBe('WSRC0018');
  });
  it('refuses an organisation that is not an awarding organisation with a WSEC0006 DomainFault', async () => {
    const provider = SIMULATOR_ORGANISATIONS.find((o) => o.organisationId === 'second-provider');
    const res = await ext(
      'SubmitAchievementBatchJob',
      submitAchievements(
        {
          orgRef: provider?.organisationRef as string,
          password: provider?.orgPassword as string,
          userName: 'x',
        },
        [{ uln: plr.uln, givenName: plr.givenName, familyName: plr.familyName }],
      ),
    );
    expect(res.status).toBe(500);
    expect(at(bodyOf(res.body), 'detail', 'DomainFault', 'ErrorCode')).toBe('WSEC0006');
  });
});
