/**
 * Our WSDLs are also committed as readable files (shared/lrs/contract/wsdl/*.wsdl) for people and
 * tools; the adapter itself uses the in-memory text. This test keeps the files in sync:
 * run with UPDATE_WSDL=1 to rewrite them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { wsdlFor } from '../../../shared/lrs/contract/wsdl.js';

const DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'lrs', 'contract', 'wsdl');
const SERVICES = ['LearnerService', 'LearnerServiceR9', 'ExternalService'] as const;

const formatted = async (xml: string): Promise<string> => {
  const r = await validateXML({ xml: [{ fileName: 'w.wsdl', contents: xml }], normalization: 'format' });
  return r.normalized;
};

describe('committed WSDL files', () => {
  it.each(SERVICES.map((s) => ({ s })))('$s.wsdl matches the generator', async ({ s }) => {
    const file = join(DIR, `${s}.wsdl`);
    const expected = await formatted(wsdlFor(s));
    if (process.env.UPDATE_WSDL === '1') {
      mkdirSync(DIR, { recursive: true });
      writeFileSync(file, expected);
    }
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(expected);
  });
});
