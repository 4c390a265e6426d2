/**
 * `npm run simulator`: starts the LRS simulator and prints where it listens, which certificate
 * files a client needs and a few seeded learners. Options: --port N (default 8443), --host H,
 * --batch-ms N, --latency-ms N, --cert-dir DIR.
 */
import { join } from 'node:path';
import { CLIENT_PFX_PASSPHRASE } from './certs.js';
import { DEFAULT_ORGANISATION, notableLearners, startSimulator } from './index.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const num = (name: string, fallback: number): number => {
  const v = arg(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got '${v}'`);
  return n;
};

const started = Date.now();
const certDir = arg('cert-dir') ?? join(import.meta.dirname, '..', '.local', 'simulator-certs');
const sim = await startSimulator({
  host: arg('host') ?? '127.0.0.1',
  port: num('port', Number(process.env.LRS_SIMULATOR_PORT ?? 8443)),
  certDir,
  batchDurationMs: num('batch-ms', 5000),
  conditions: { latencyMs: num('latency-ms', 0) },
});
const o = DEFAULT_ORGANISATION;
const lines = [
  `LRS simulator listening on ${sim.url} (ready in ${Date.now() - started} ms, ${sim.learnerCount} learners)`,
  `  services: ${sim.url}/LearnerService.svc  ${sim.url}/LearnerServiceR9.svc  ${sim.url}/ExternalService.svc`,
  `  admin:    POST ${sim.url}/__admin/conditions {"outOfHours":true}   POST ${sim.url}/__admin/reset`,
  'mutual TLS (client certificate required):',
  `  CA (trust):      ${join(certDir, 'ca.crt')}`,
  `  client cert/key: ${join(certDir, 'client.crt')}  ${join(certDir, 'client.key')}`,
  `  client PFX:      ${join(certDir, 'client.pfx')} (passphrase '${CLIENT_PFX_PASSPHRASE}')`,
  `default organisation: UKPRN ${o.ukprn}, OrganisationRef ${o.organisationRef}, OrgPassword ${o.orgPassword}, UserName ${o.userName}, vendorId ${o.vendorId}`,
  'a few seeded learners (more in simulator/README.md):',
  ...notableLearners()
    .slice(0, 8)
    .map(
      (l) =>
        `  ${l.key.padEnd(14)} ULN ${l.uln}  ${l.givenName} ${l.familyName}  ${l.dateOfBirth}  gender ${l.gender}  ${l.postcode}`,
    ),
  'Ctrl-C to stop.',
];
process.stdout.write(`${lines.join('\n')}\n`);

const stop = () => {
  sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
