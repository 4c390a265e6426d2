/**
 * 64-bit LearnerService job ids through the adapter against the simulator over mutual TLS: a job id
 * above 2^53 comes back from the submit with every digit, and asking for that job's output (not its
 * rounded neighbour) finds it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateRequest } from '../../../shared/lrs/contract/schemas.js';
import { createLrsClient } from '../../../shared/lrs/soap/client.js';
import { DEFAULT_ORGANISATION, type SimulatorHandle, startSimulator } from '../../../simulator/index.js';
import { notableLearner } from '../../../simulator/seed.js';
import { testCertificates } from '../../certs.js';
import { pemCreds, source } from './loopback.js';

const FIRST = '9007199254740993'; // 2^53 + 1: as a JS number it would read as ...992
let sim: SimulatorHandle;
beforeAll(async () => {
  sim = await startSimulator({ certs: testCertificates(), batchDurationMs: 60_000, firstJobId: FIRST });
});
afterAll(async () => sim?.close());

const ctx = { organisationId: DEFAULT_ORGANISATION.ukprn, requestId: 'req-job-ids' };

describe('64-bit job ids', () => {
  it('a batch job id above 2^53 keeps every digit from submit to output', async () => {
    const client = createLrsClient({
      endpoint: sim.url,
      credentials: source(
        pemCreds({
          organisationId: DEFAULT_ORGANISATION.ukprn,
          ukprn: DEFAULT_ORGANISATION.ukprn,
          organisationRef: DEFAULT_ORGANISATION.organisationRef,
          orgPassword: DEFAULT_ORGANISATION.orgPassword,
          userName: DEFAULT_ORGANISATION.userName,
          vendorId: 1,
          version: 'job-ids',
        }),
      ),
    });
    const exact = notableLearner('exact');
    const submitted = await client.call(
      'submitBatchRegistration',
      validateRequest('submitBatchRegistration', {
        learners: [
          {
            givenName: exact.givenName,
            familyName: exact.familyName,
            dateOfBirth: exact.dateOfBirth,
            gender: exact.gender,
            lastKnownPostCode: exact.postcode,
          },
        ],
      }),
      ctx,
    );
    expect(submitted.response).toMatchObject({ responseCode: 'WSRC0007', jobId: FIRST });
    sim.finishJobs();
    const out = await client.call(
      'getBatchRegistrationOutput',
      validateRequest('getBatchRegistrationOutput', { jobId: FIRST }),
      ctx,
    );
    expect(out.response).toMatchObject({ responseCode: 'WSRC0009' });
    const neighbour = await client.call(
      'getBatchRegistrationOutput',
      validateRequest('getBatchRegistrationOutput', { jobId: '9007199254740992' }),
      ctx,
    );
    expect(neighbour.response).toMatchObject({ responseCode: 'WSRC0018' });
  });
});
