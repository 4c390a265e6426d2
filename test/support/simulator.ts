/**
 * One LRS simulator for a test file: started over mutual TLS with the test certificates before its
 * tests, closed after them and (unless told otherwise) back to its seeded register before each test;
 * with a poster for each of its three services and the default organisation as a client sends it.
 */
import { beforeEach } from 'vitest';
import {
  DEFAULT_ORGANISATION,
  type SimulatorHandle,
  type SimulatorOptions,
  startSimulator,
} from '../../simulator/index.js';
import { testCertificates } from '../certs.js';
import { useFileFixture } from './file-fixture.js';
import {
  defaultOrg,
  EXT_ACTION,
  type Org,
  type PostOptions,
  R9_ACTION,
  type RawResponse,
  send,
} from './simulator-client.js';

/** The simulator's default organisation with its reference (R9 and ExternalService name it). */
export const DEFAULT_ORG: Org = defaultOrg(DEFAULT_ORGANISATION);

/** The default organisation by UKPRN alone, as most LearnerService clients send it. */
export const UKPRN_ORG: Org = {
  ukprn: DEFAULT_ORGANISATION.ukprn,
  password: DEFAULT_ORGANISATION.orgPassword,
  userName: DEFAULT_ORGANISATION.userName,
};

/** The recorded exact-match learner (seeded), as a find by demographics sends it. */
export const RECORDED_EXACT = {
  familyName: 'Testname',
  givenName: 'Sample',
  dateOfBirth: '1976-08-16',
  gender: '2',
  postcode: 'CV49EE',
} as const;

export interface SimulatorFixture {
  /** The running simulator; read it inside tests and hooks only (it starts in beforeAll). */
  readonly sim: SimulatorHandle;
  /** A request to any path of the simulator, with our client certificate unless `opts` says otherwise. */
  readonly send: (path: string, body: string, opts?: PostOptions) => Promise<RawResponse>;
  /** POST to LearnerService.svc (no SOAPAction unless given). */
  readonly learnerService: (body: string, opts?: PostOptions) => Promise<RawResponse>;
  /** POST to LearnerServiceR9.svc with the operation's SOAPAction. */
  readonly r9: (operation: string, body: string, opts?: PostOptions) => Promise<RawResponse>;
  /** POST to ExternalService.svc with the operation's SOAPAction. */
  readonly external: (operation: string, body: string, opts?: PostOptions) => Promise<RawResponse>;
}

export interface UseSimulatorOptions {
  /** Back to the seeded register and default conditions before each test (default true). */
  readonly resetBeforeEach?: boolean;
}

/** Registers the hooks that run one simulator for the calling test file. */
export const useSimulator = (
  options: Omit<SimulatorOptions, 'certs'> = {},
  { resetBeforeEach = true }: UseSimulatorOptions = {},
): SimulatorFixture => {
  const sim = useFileFixture(
    'The simulator',
    () => startSimulator({ ...options, certs: testCertificates() }),
    (handle) => handle.close(),
  );
  if (resetBeforeEach) beforeEach(() => sim.reset());
  const post = (path: string, body: string, opts: PostOptions = {}) =>
    send(sim.url, path, sim.certs, body, opts);
  return {
    sim,
    send: post,
    learnerService: (body, opts = {}) => post('/LearnerService.svc', body, opts),
    r9: (operation, body, opts = {}) =>
      post('/LearnerServiceR9.svc', body, { soapAction: R9_ACTION(operation), ...opts }),
    external: (operation, body, opts = {}) =>
      post('/ExternalService.svc', body, { soapAction: EXT_ACTION(operation), ...opts }),
  };
};
