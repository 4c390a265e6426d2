/** Runs once before the whole suite: makes the test certificates so parallel test files share one set. */
import { join } from 'node:path';
import { ensureCertificates } from '../simulator/certs.js';

export const TEST_CERT_DIR = join(import.meta.dirname, '..', '.local', 'test-certs');

export default function setup(): void {
  ensureCertificates(TEST_CERT_DIR);
}
