/**
 * Files of the shared LRS reference data (shared/lrs-reference beside the checkout: read in tests, never
 * copied): the recorded LRS messages, the legacy MIAP XSDs and the live WCF WSDLs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const REPO_ROOT = join(import.meta.dirname, '..', '..');

/**
 * The nearest shared/lrs-reference above the checkout: its sibling for a checkout, a level higher for a
 * worktree kept in a folder of worktrees. None found: the sibling path (a read names what is missing).
 */
const findReferenceDir = (): string => {
  for (let dir = dirname(REPO_ROOT); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'lrs-reference');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return join(dirname(REPO_ROOT), 'shared', 'lrs-reference');
  }
};

export const REFERENCE_DIR = findReferenceDir();

export const referencePath = (...parts: string[]): string => join(REFERENCE_DIR, ...parts);

/** A reference file's text; missing reference data is named as such, not as a bare ENOENT of one file. */
export const readReference = (path: string): string => {
  if (!existsSync(REFERENCE_DIR))
    throw new Error(
      `The LRS reference data is not there: this test reads ${REFERENCE_DIR} (shared/lrs-reference beside ` +
        'the checkout or in a folder above it; see "Tests" in README.md)',
    );
  return readFileSync(path, 'utf8');
};

/** The realistic recorded LRS messages (MoJ fixtures): `wiremock/…` and `test-resources/…`. */
export const RECORDED_DIR = referencePath('hmpps-learner-records-api');

/** The text of one recorded message, e.g. `wiremock/FindLearnerByDemographics__exact_match_ful.xml`. */
export const recorded = (name: string): string => readReference(join(RECORDED_DIR, name));

/** Every ULN of the recorded LRS messages (each passes the check digit). */
export const RECORDED_ULNS = [
  '1026893096',
  '6936002314',
  '4444599390',
  '7667649978',
  '1964986809',
  '8383558804',
  '1174112637',
  '1026922983',
] as const;

/** The legacy MIAP schemas (the ones the Java back end enforces). */
export const LEGACY_XSD_DIR = referencePath('sunsis-core', 'legacy-miap-java');

/** The common types and every LearnerService message schema. */
export const LEGACY_XSD_FILES = [
  'learner.xsd',
  'findlearner.xsd',
  'registerlearner.xsd',
  'batchlearner.xsd',
  'verifybatchlearner.xsd',
  'learnerreport.xsd',
] as const;

/** A legacy XSD as xmllint-wasm takes it (a file name and its contents). */
export const legacyXsd = (fileName: string) => ({
  fileName,
  contents: readReference(join(LEGACY_XSD_DIR, fileName)),
});

/** The live WCF single-WSDLs. */
export const WCF_DIR = referencePath('sunsis-core', 'current-wcf');
