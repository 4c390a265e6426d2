/**
 * One SOAP request from raw body to answer, checked as the WCF host in front of every LRS service
 * checks it: media type, well-formed XML, a SOAP 1.1 envelope with exactly one request element in the
 * Body, mustUnderstand headers and the SOAPAction; then the service answers.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { type OpResult, refusal, type SimState } from './context.js';
import { miapFaultXml, SOAP_ENV, wcfFaultXml } from './faults.js';
import { handleLearnerService } from './learner-service.js';
import { handleWcf } from './wcf.js';
import {
  contentTypeProblem,
  mustUnderstandProblem,
  routeByAction,
  type ServiceKind,
} from './wcf-transport.js';
import { parseXml, type XmlEl, XmlParseError } from './xml.js';

const SOAP12_ENV = 'http://www.w3.org/2003/05/soap-envelope';
const ONE_ELEMENT = 'The SOAP Body must contain exactly one request element.';

export const dispatchSoap = (
  kind: ServiceKind,
  headers: IncomingHttpHeaders,
  body: string,
  state: SimState,
): OpResult => {
  const mediaProblem = contentTypeProblem(String(headers['content-type'] ?? ''));
  if (mediaProblem) return mediaProblem;
  let doc: XmlEl;
  try {
    doc = parseXml(body);
  } catch (e) {
    const msg = e instanceof XmlParseError ? e.message : String(e);
    return kind === 'learner'
      ? refusal(500, 'WSEC0001', miapFaultXml({ code: 'WSEC0001', furtherDetails: msg }))
      : refusal(400, 'BadRequest', '');
  }
  if (doc.local !== 'Envelope' || (doc.ns !== SOAP_ENV && doc.ns !== SOAP12_ENV)) {
    return refusal(500, 'Client', wcfFaultXml('s:Client', 'The message is not a SOAP 1.1 envelope.'));
  }
  if (doc.ns === SOAP12_ENV) {
    return refusal(
      500,
      'VersionMismatch',
      wcfFaultXml(
        's:VersionMismatch',
        `The envelope version of the incoming message (Soap12) does not match that of the encoder (Soap11). Make sure the binding is configured with the same version as the expected messages.`,
      ),
    );
  }
  const soapBody = doc.children.find((c) => c.local === 'Body' && c.ns === SOAP_ENV);
  const headerOk = doc.children.every(
    (c) => c.ns === SOAP_ENV && (c.local === 'Header' || c.local === 'Body'),
  );
  const payload = soapBody?.children;
  if (!soapBody || !headerOk || !payload || payload.length !== 1) {
    return refusal(
      500,
      'Client',
      kind === 'learner'
        ? miapFaultXml({ code: 'WSEC0001', furtherDetails: ONE_ELEMENT })
        : wcfFaultXml('s:Client', ONE_ELEMENT),
    );
  }
  const request = payload[0] as XmlEl;
  const notUnderstood = mustUnderstandProblem(doc);
  if (notUnderstood) return notUnderstood;
  const route = routeByAction(kind, headers.soapaction, request);
  if ('fault' in route) return route.fault;
  return kind === 'learner'
    ? handleLearnerService(request, state)
    : handleWcf(kind, route.op, request, state);
};
