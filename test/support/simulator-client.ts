/** A raw HTTPS client for the simulator tests: hand-written envelopes, the real TLS client certificate. */
import { request } from 'node:https';
import type { CertificateSet } from '../../simulator/certs.js';
import { parseXml, type XmlEl } from '../../simulator/xml.js';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export interface PostOptions {
  readonly soapAction?: string;
  readonly method?: string;
  readonly contentType?: string;
  /** Which client certificate to present: ours (default), the rogue one, or none. */
  readonly clientCert?: 'valid' | 'rogue' | 'none';
}

export const send = (
  url: string,
  path: string,
  certs: CertificateSet,
  body: string,
  opts: PostOptions = {},
): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const u = new URL(path, url);
    const which = opts.clientCert ?? 'valid';
    const headers: Record<string, string> = {
      'Content-Type': opts.contentType ?? 'text/xml; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
    };
    if (opts.soapAction !== undefined) headers.SOAPAction = `"${opts.soapAction}"`;
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: opts.method ?? 'POST',
        headers,
        ca: certs.caCert,
        agent: false,
        ...(which === 'valid' ? { key: certs.clientKey, cert: certs.clientCert } : {}),
        ...(which === 'rogue' ? { key: certs.rogueClientKey, cert: certs.rogueClientCert } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });

export const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';

/** The body's first element of a SOAP response. */
export const bodyOf = (xml: string): XmlEl => {
  const env = parseXml(xml);
  const body = env.children.find((c) => c.local === 'Body');
  const first = body?.children[0];
  if (!first) throw new Error(`no body element in ${xml.slice(0, 200)}`);
  return first;
};

/** Text of a descendant path of unqualified-or-any-namespace local names. */
export const at = (el: XmlEl | undefined, ...path: string[]): string | undefined => {
  let cur = el;
  for (const p of path) cur = cur?.children.find((c) => c.local === p);
  return cur?.text;
};
export const all = (el: XmlEl | undefined, name: string): XmlEl[] =>
  el?.children.filter((c) => c.local === name) ?? [];

export const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// ---- envelopes ---------------------------------------------------------------------------------

export interface Org {
  ukprn?: string;
  orgRef?: string;
  password: string;
  userName: string;
}

/** The simulator's default organisation as a test client sends it. */
export const defaultOrg = (d: {
  ukprn: string;
  organisationRef: string;
  orgPassword: string;
  userName: string;
}): Org => ({ ukprn: d.ukprn, orgRef: d.organisationRef, password: d.orgPassword, userName: d.userName });

const field = (name: string, v: string | undefined) =>
  v === undefined ? '' : `<${name}>${xmlEscape(v)}</${name}>`;

export const legacyCreds = (o: Org) =>
  field('OrganisationRef', o.orgRef) +
  field('UKPRN', o.ukprn) +
  field('OrgPassword', o.password) +
  field('UserName', o.userName);

/** A LearnerService envelope: `prefix:element` in `ns`, with unqualified children. */
export const learnerEnvelope = (ns: string, element: string, inner: string, prefix = 'm') =>
  `<soapenv:Envelope xmlns:soapenv="${SOAP}" xmlns:${prefix}="${ns}"><soapenv:Header/><soapenv:Body><${prefix}:${element}>${inner}</${prefix}:${element}></soapenv:Body></soapenv:Envelope>`;

export const NS = {
  findmsg: 'http://api.lrs.miap.gov.uk/findmsg',
  regmsg: 'http://api.lrs.miap.gov.uk/regmsg',
  batchmsg: 'http://api.lrs.miap.gov.uk/batchmsg',
  vldmsg: 'http://api.lrs.miap.gov.uk/vldmsg',
  reportmsg: 'http://api.lrs.miap.gov.uk/reportmsg',
  tempuri: 'http://tempuri.org/',
  r10: 'http://schemas.datacontract.org/2004/07/Amor.Qcf.Service.Interface',
  common: 'http://schemas.datacontract.org/2004/07/Amor.Qcf.Common',
  model: 'http://api.lrs.qcf.gov.uk/model',
  services: 'http://api.lrs.qcf.gov.uk/services',
} as const;

export interface Demographics {
  familyName: string;
  givenName: string;
  dateOfBirth: string;
  gender: string;
  postcode: string;
  previousFamilyName?: string;
}

export const findByDemographics = (o: Org, d: Demographics, findType = 'FUL') =>
  learnerEnvelope(
    NS.findmsg,
    'FindLearnerByDemographics',
    field('FindType', findType) +
      legacyCreds(o) +
      field('FamilyName', d.familyName) +
      field('GivenName', d.givenName) +
      field('DateOfBirth', d.dateOfBirth) +
      field('Gender', d.gender) +
      field('LastKnownPostCode', d.postcode) +
      `<PreviousFamilyName>${xmlEscape(d.previousFamilyName ?? '')}</PreviousFamilyName><SchoolAtAge16></SchoolAtAge16><PlaceOfBirth></PlaceOfBirth><EmailAddress></EmailAddress>`,
    'fin',
  );

export const findByUln = (o: Org, uln: string, familyName: string, givenName: string, findType = 'FUL') =>
  learnerEnvelope(
    NS.findmsg,
    'FindLearnerByULN',
    field('FindType', findType) +
      legacyCreds(o) +
      field('ULN', uln) +
      field('FamilyName', familyName) +
      field('GivenName', givenName),
    'fin',
  );

export interface RegisterFields {
  givenName: string;
  familyName: string;
  postcode: string;
  dateOfBirth: string;
  gender: string;
  verificationType?: string;
  abilityToShare?: string;
  emailAddress?: string;
}

export const learnerToRegister = (f: RegisterFields) =>
  field('GivenName', f.givenName) +
  field('FamilyName', f.familyName) +
  field('LastKnownPostCode', f.postcode) +
  field('DateOfBirth', f.dateOfBirth) +
  field('Gender', f.gender) +
  field('EmailAddress', f.emailAddress) +
  field('VerificationType', f.verificationType ?? '0') +
  field('AbilityToShare', f.abilityToShare ?? '1');

export const registerLearner = (o: Org, f: RegisterFields) =>
  learnerEnvelope(
    NS.regmsg,
    'RegisterLearner',
    `${legacyCreds(o)}<Learner>${learnerToRegister(f)}</Learner>`,
    'reg',
  );

export const updateLearner = (o: Org, f: RegisterFields, uln: string, version: number) =>
  learnerEnvelope(
    NS.regmsg,
    'UpdateLearner',
    `${legacyCreds(o)}<Learner>${learnerToRegister(f)}${field('ULN', uln)}${field('VersionNumber', String(version))}</Learner>`,
    'reg',
  );

export const verifyLearner = (
  o: Org,
  v: { uln: string; familyName: string; givenName: string; dateOfBirth?: string; gender?: string },
) =>
  learnerEnvelope(
    NS.reportmsg,
    'VerifyLearner',
    `${legacyCreds(o)}<LearnerToVerify>${field('ULN', v.uln)}${field('FamilyName', v.familyName)}${field('GivenName', v.givenName)}${field('DateOfBirth', v.dateOfBirth)}${field('Gender', v.gender)}</LearnerToVerify>`,
    'rep',
  );

export const retrieveUlns = (o: Org, ulns: string[]) =>
  learnerEnvelope(
    NS.reportmsg,
    'RetrieveULNs',
    `${legacyCreds(o)}<ULNsToRetrieve>${ulns.map((u) => field('ULN', u)).join('')}</ULNsToRetrieve>`,
    'rep',
  );

export const r9Envelope = (op: string, inner: string) =>
  `<soapenv:Envelope xmlns:soapenv="${SOAP}" xmlns:tem="${NS.tempuri}"><soapenv:Header/><soapenv:Body><tem:${op}>${inner}</tem:${op}></soapenv:Body></soapenv:Envelope>`;

export const r9Creds = (o: Org, r10: boolean) => {
  const ns = r10 ? NS.r10 : NS.common;
  const ref = r10 ? field('OrganisationRef', o.orgRef) : '';
  const common = r10 ? '' : field('Reference', o.orgRef);
  return `<tem:invokingOrganisation xmlns:d="${ns}">${[
    r10 ? ref : '',
    field('Password', o.password),
    common,
    field('Ukprn', o.ukprn),
    field('Username', o.userName),
  ]
    .join('')
    .replace(/<(\/?)([A-Za-z]+)>/g, '<$1d:$2>')}</tem:invokingOrganisation>`;
};

const t = (name: string, v: string) => `<tem:${name}>${xmlEscape(v)}</tem:${name}>`;

export const plrRequest = (
  o: Org,
  p: {
    uln: string;
    givenName: string;
    familyName: string;
    dateOfBirth?: string;
    gender?: string;
    getType?: string;
    vendorId?: string;
  },
) =>
  r9Envelope(
    'GetLearnerLearningEvents',
    r9Creds(o, true) +
      t('userType', 'ORG') +
      t('vendorID', p.vendorId ?? '1') +
      t('language', 'ENG') +
      t('uln', p.uln) +
      t('givenName', p.givenName) +
      t('familyName', p.familyName) +
      t('dateOfBirth', p.dateOfBirth ?? '') +
      t('gender', p.gender ?? '') +
      t('getType', p.getType ?? 'FULL'),
  );

export const R9_ACTION = (op: string) => `http://tempuri.org/ILearnerServiceR9/${op}`;
export const EXT_ACTION = (op: string) => `http://api.lrs.qcf.gov.uk/services/IExternalService/${op}`;

export const r9Common = (o: Org, userType = 'ORG', vendorId = '1') =>
  r9Creds(o, false) + t('userType', userType) + t('vendorId', vendorId) + t('language', 'ENG');

export const learnerByUlnR9 = (o: Org, uln: string, givenName: string, familyName: string) =>
  r9Envelope(
    'LearnerByUln',
    r9Common(o) +
      t('uln', uln) +
      t('givenName', givenName) +
      t('familyName', familyName) +
      t('findType', 'FUL'),
  );

export const updateSubsetFields = (
  o: Org,
  p: {
    uln: string;
    version: number;
    email?: string;
    telephone?: string;
    ats?: string;
    school?: string;
    preferred?: string;
  },
) =>
  r9Envelope(
    'UpdateLearnerSubsetFields',
    r9Common(o) +
      t('uln', p.uln) +
      t('versionNumber', String(p.version)) +
      (p.email === undefined
        ? '<tem:emailAddress xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true"/>'
        : t('emailAddress', p.email)) +
      (p.telephone === undefined
        ? '<tem:telephoneNumber xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true"/>'
        : t('telephoneNumber', p.telephone)) +
      t('abilityToShare', p.ats ?? 'NotProvided') +
      (p.school === undefined
        ? '<tem:schoolAtAge16 xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true"/>'
        : t('schoolAtAge16', p.school)) +
      (p.preferred === undefined
        ? '<tem:preferredGivenName xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true"/>'
        : t('preferredGivenName', p.preferred)),
  );

export const viewAudit = (o: Org, uln: string, givenName: string, familyName: string, page = 1) =>
  r9Envelope(
    'ViewAudit',
    r9Common(o) +
      t('learnerUln', uln) +
      t('learnerGivenName', givenName) +
      t('learnerFamilyName', familyName) +
      t('page', String(page)),
  );

export const getOrganisation = (o: Org, ukprn: string, orgRef = '') =>
  r9Envelope('GetOrganisation', r9Common(o) + t('ukPrn', ukprn) + t('orgRef', orgRef));

export interface Achievement {
  uln: string;
  givenName: string;
  familyName: string;
  action?: number;
  reference?: string;
  grade?: string;
  providerUkprn?: string;
  dateOfBirth?: string;
}

const s = (name: string, v: string | undefined) =>
  v === undefined ? '' : `<svc:${name}>${xmlEscape(v)}</svc:${name}>`;

export const externalEnvelope = (op: string, inner: string) =>
  `<soapenv:Envelope xmlns:soapenv="${SOAP}" xmlns:svc="${NS.services}" xmlns:mod="${NS.model}"><soapenv:Header/><soapenv:Body><svc:${op}>${inner}</svc:${op}></soapenv:Body></soapenv:Envelope>`;

export const invokingUser = (o: Org) =>
  `<svc:invokingUser><mod:OrgPassword>${xmlEscape(o.password)}</mod:OrgPassword><mod:OrganisationRef>${o.orgRef ?? ''}</mod:OrganisationRef><mod:UserName>${o.userName}</mod:UserName></svc:invokingUser>`;

export const submitAchievements = (o: Org, achievements: Achievement[]) =>
  externalEnvelope(
    'SubmitAchievementBatchJob',
    invokingUser(o) +
      s('emailAddress', 'ao@example.org') +
      s('submissionType', 'Standard') +
      `<svc:achievements>${achievements
        .map(
          (a) =>
            `<svc:Achievement>${s('AchievementAwardDate', '2025-08-20T00:00:00')}${s('Action', String(a.action ?? 1))}${s('ActionDate', '2025-08-21T00:00:00')}${s('DateofBirth', a.dateOfBirth ? `${a.dateOfBirth}T00:00:00` : undefined)}${s('FamilyName', a.familyName)}${s('GivenName', a.givenName)}${s('Grade', a.grade)}${s('ProviderUkprn', a.providerUkprn ?? '10030488')}${s('Uln', a.uln)}${s('UnitOrQualificationReferenceNumber', a.reference ?? '603/1234/5')}</svc:Achievement>`,
        )
        .join('')}</svc:achievements>`,
  );

export const getAchievementJob = (o: Org, jobId: string) =>
  externalEnvelope('GetAchievementBatchJob', invokingUser(o) + s('jobId', jobId));
