/**
 * The fast XML parser gives exactly the tree of the saxes reference parser on every recorded LRS
 * message, our fixtures, our requests and WSDLs and tricky documents; both refuse malformed XML.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPERATION_IDS } from '../../../shared/lrs/contract/operations.js';
import { validateRequest } from '../../../shared/lrs/contract/schemas.js';
import { wsdlFor } from '../../../shared/lrs/contract/wsdl.js';
import { buildRequestBody, wrapEnvelope } from '../../../shared/lrs/soap/request.js';
import { escapeXml, parseXml, XmlParseError } from '../../../shared/lrs/soap/xml.js';
import type { OrganisationCredentials } from '../../../shared/ports/credentials.js';
import { CREDS, SAMPLES } from '../../support/lrs-samples.js';
import { RECORDED_DIR } from '../../support/reference.js';
import { parseXmlSaxes } from './xml-reference.js';

const files = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.xml'))
    .map((f) => join(dir, f));

const documents: [string, string][] = [
  ...[
    ...files(join(RECORDED_DIR, 'wiremock')),
    ...files(join(RECORDED_DIR, 'test-resources')),
    ...files(join(import.meta.dirname, 'fixtures')),
  ].map((f): [string, string] => [f.split('/').slice(-2).join('/'), readFileSync(f, 'utf8')]),
  ...OPERATION_IDS.map((op): [string, string] => [
    `request ${op}`,
    wrapEnvelope(
      buildRequestBody(op, validateRequest(op, SAMPLES[op][0]), {
        credentials: CREDS as OrganisationCredentials,
        userName: 'u',
      }),
    ),
  ]),
  ...(['LearnerService', 'LearnerServiceR9', 'ExternalService'] as const).map((s): [string, string] => [
    `wsdl ${s}`,
    wsdlFor(s),
  ]),
  [
    'tricky',
    `\uFEFF<?xml version="1.0"?><!-- c --><a:r xmlns:a="urn:a" xmlns="urn:d"><b x='1 > 2' y="&quot;q&quot;">t&amp;&#65;&#x42;&lt;</b><c/><a:d xmlns:a="urn:other"><e xmlns="">  </e></a:d><f><![CDATA[<raw> & ]]></f><g i:nil="true" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"/><h>  pad  </h>${escapeXml("O'Brien & Sons <x>")}</a:r>`,
  ],
];

describe('fast parser = reference parser', () => {
  it.each(documents)('%s', (_name, xml) => {
    expect(parseXml(xml)).toEqual(parseXmlSaxes(xml));
  });

  it('resolves namespaces by scope, not by prefix', () => {
    const doc = parseXml(documents.find(([n]) => n === 'tricky')?.[1] ?? '');
    const r = doc.children[0];
    expect([r?.ns, r?.name]).toEqual(['urn:a', 'r']);
    expect(r?.children.map((c) => [c.ns, c.name])).toEqual([
      ['urn:d', 'b'],
      ['urn:d', 'c'],
      ['urn:other', 'd'],
      ['urn:d', 'f'],
      ['urn:d', 'g'],
      ['urn:d', 'h'],
    ]);
    expect(r?.children[0]?.text).toBe('t&AB<');
    expect(r?.children[2]?.children[0]).toMatchObject({ ns: '', name: 'e', text: '  ' });
    expect(r?.children[3]?.text).toBe('<raw> & ');
    expect(r?.children[4]?.nil).toBe(true);
    expect(r?.children[5]?.text).toBe('  pad  ');
  });

  it.each([
    ['unclosed', '<a><b></a>'],
    ['mismatched', '<a></b>'],
    ['two roots', '<a/><b/>'],
    ['unbound prefix', '<x:a/>'],
    ['unknown entity', '<a>&nbsp;</a>'],
    ['DOCTYPE', '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'],
    ['text outside root', 'junk<a/>'],
    ['empty', ''],
    ['unquoted attribute', '<a b=c/>'],
    ['truncated', '<a><b>text'],
  ])('refuses %s', (_n, xml) => {
    expect(() => parseXml(xml)).toThrow(XmlParseError);
    expect(() => parseXmlSaxes(xml)).toThrow();
  });
});
