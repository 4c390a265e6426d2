/**
 * The answer shapes of the native WCF services (LearnerServiceR9.svc, ExternalService.svc): the
 * s/a/i envelope, DataContract members (i:nil for a null member, EmitDefaultValue=false members
 * omitted), DomainFault for business faults, and the handler signature.
 */
import { type SimState, SoapFailure } from '../context.js';
import { domainFaultXml, SOAP_ENV } from '../faults.js';
import { childText, el, type WNode, writeXml, type XmlEl } from '../xml.js';

export const NS_MODEL = 'http://api.lrs.qcf.gov.uk/model';
export const NS_TEMPURI = 'http://tempuri.org/';
export const NS_SERVICES = 'http://api.lrs.qcf.gov.uk/services';
const NS_XSI = 'http://www.w3.org/2001/XMLSchema-instance';

export type WcfService = 'r9' | 'external';

/** The calling organisation as a handler sees it. */
export interface WcfCaller {
  readonly ukprn: string;
  readonly displayName: string;
  readonly userName: string;
}

export type WcfHandler = (body: XmlEl, state: SimState, org: WcfCaller) => { result: WNode; code: string };

export const wrapped = (service: WcfService, op: string, result: WNode): string =>
  writeXml(
    el(
      's:Envelope',
      [el('s:Body', [el(`${op}Response`, [result], { xmlns: service === 'r9' ? NS_TEMPURI : NS_SERVICES })])],
      {
        'xmlns:s': SOAP_ENV,
      },
    ),
  );
export const result = (op: string, children: (WNode | undefined)[]): WNode =>
  el(`${op}Result`, children, { 'xmlns:a': NS_MODEL, 'xmlns:i': NS_XSI });

/** A nillable DataContract member: i:nil when null. */
export const m = (prefix: string, name: string, v: string | undefined | null): WNode =>
  v === undefined || v === null
    ? el(`${prefix}:${name}`, [], { 'i:nil': 'true' })
    : el(`${prefix}:${name}`, v);
/** An EmitDefaultValue=false member: omitted when null. */
export const e = (prefix: string, name: string, v: string | undefined): WNode | undefined =>
  v === undefined ? undefined : el(`${prefix}:${name}`, v);

/** Nillable members in the order given, each with its value (null or undefined → i:nil). */
export const members = (
  prefix: string,
  values: Readonly<Record<string, string | undefined | null>>,
): WNode[] => Object.entries(values).map(([name, v]) => m(prefix, name, v));

export const domainFault = (code: string, message?: string): never => {
  throw new SoapFailure(500, domainFaultXml(code, message), code);
};

export const txt = (parent: XmlEl | undefined, name: string, ns: string): string | undefined =>
  childText(parent, name, ns);
