/** The test certificate set made by test/global-setup.ts (made here too when a file runs on its own). */
import { join } from 'node:path';
import { type CertificateSet, ensureCertificates } from '../simulator/certs.js';

export const testCertificates = (): CertificateSet =>
  ensureCertificates(join(import.meta.dirname, '..', '.local', 'test-certs'));
