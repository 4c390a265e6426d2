/**
 * Realistic LRS responses for the parsing benchmark, written by the simulator's own element builders (the
 * same prefixes, namespaces, member order, `i:nil` members and omissions the simulator sends, which follow the
 * recorded LRS answers): a GetLearnerLearningEvents (PLR) answer with many learning events, and a
 * learnerByDemographics answer with possible matches (WSRC0003). The learners and events come from the
 * simulator's seeded register, so names, dates, grades and providers vary as they would in real data.
 */
import { SOAP_ENV } from '../simulator/faults.js';
import { learnerNode } from '../simulator/learner-service.js';
import type { LearnerRecord, LearningEvent } from '../simulator/model.js';
import { generateRegister, type SeededRegister } from '../simulator/seed.js';
import { learningEventNode } from '../simulator/wcf.js';
import { el, writeXml } from '../simulator/xml.js';

const NS_TEMPURI = 'http://tempuri.org/';
const NS_MODEL = 'http://api.lrs.qcf.gov.uk/model';
const NS_XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const NS_FINDMSG = 'http://api.lrs.miap.gov.uk/findmsg';

let register: SeededRegister | undefined;
const seeded = (): SeededRegister => {
  register ??= generateRegister();
  return register;
};

/** `count` learning events taken from the seeded register (repeated with fresh ids if it holds fewer). */
export const sampleEvents = (count: number): LearningEvent[] => {
  const all = seeded().learners.flatMap((l) => l.events);
  if (all.length === 0) throw new Error('the seeded register has no learning events');
  return Array.from({ length: count }, (_, i) => {
    const ev = all[i % all.length] as LearningEvent;
    return { ...ev, id: 100_000 + i };
  });
};

/** `count` plain learners of the seeded register (distinct ULNs). */
export const sampleLearners = (count: number): LearnerRecord[] => {
  const learners = seeded().verifiable.slice(0, count);
  if (learners.length < count) throw new Error(`only ${learners.length} plain learners are seeded`);
  return learners;
};

/** A GetLearnerLearningEvents (PLR) answer with `eventCount` events, as LearnerServiceR9.svc sends it. */
export const plrResponseXml = (eventCount = 1000, uln = '1174112637'): string =>
  writeXml(
    el(
      's:Envelope',
      [
        el('s:Body', [
          el(
            'GetLearnerLearningEventsResponse',
            [
              el(
                'GetLearnerLearningEventsResult',
                [
                  el('a:ResponseCode', 'WSRC0004'),
                  el('a:FoundULN', uln),
                  el('a:IncomingULN', uln),
                  el('a:LearnerRecord', sampleEvents(eventCount).map(learningEventNode)),
                ],
                { 'xmlns:a': NS_MODEL, 'xmlns:i': NS_XSI },
              ),
            ],
            { xmlns: NS_TEMPURI },
          ),
        ]),
      ],
      { 'xmlns:s': SOAP_ENV },
    ),
  );

/**
 * A learnerByDemographics answer with `matchCount` possible matches (WSRC0003), as LearnerService.svc sends
 * it: the search echoed back, then one full `Learner` per match.
 */
export const demographicsResponseXml = (matchCount = 10): string => {
  const learners = sampleLearners(matchCount);
  const first = learners[0] as LearnerRecord;
  return writeXml(
    el(
      'soapenv:Envelope',
      [
        el('soapenv:Body', [
          el(
            'ns2:FindLearnerResponse',
            [
              el('ResponseCode', 'WSRC0003'),
              el('FamilyName', first.familyName),
              el('GivenName', first.givenName),
              el('DateOfBirth', first.dateOfBirth),
              el('Gender', first.gender),
              el('LastKnownPostCode', first.postcode.replace(/\s+/g, '')),
              ...learners.map((l) => learnerNode(l, false)),
            ],
            { 'xmlns:ns2': NS_FINDMSG },
          ),
        ]),
      ],
      { 'xmlns:soapenv': SOAP_ENV },
    ),
  );
};
