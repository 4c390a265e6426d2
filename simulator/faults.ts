/** SOAP faults as the LRS sends them: MIAPAPIException (LearnerService) and DomainFault (R9, ExternalService). */
import { el, type WNode, writeXml } from './xml.js';

export const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';

export const ACTOR_VALIDATOR = 'uk.gov.miap.lrs.api.learner.utils.MSGValidator.validateSOAPMSG()';
export const ACTOR_SECURITY =
  'uk.gov.miap.lrs.api.learner.utils.OrganisationValidator.validateOrganisation()';
export const ACTOR_SERVICE = 'uk.gov.miap.lrs.api.learner.LearnerServiceImpl';

/** Descriptions of the WSEC codes (TRIBAL list; WSEC0001 as recorded). */
export const WSEC_DESCRIPTIONS: Readonly<Record<string, string>> = {
  WSEC0001:
    'Invalid request, The request was badly formed - this may include missing mandatory parameters, or invalid data types.',
  WSEC0002: 'Unknown request, The operation requested is not supported.',
  WSEC0003:
    'Unknown organisation, The organisation is not recognised or is not authorised to use the service.',
  WSEC0004: 'Out of hours, The service is not available at this time.',
  WSEC0005: 'Incorrect password, The password supplied for the organisation is incorrect.',
  WSEC0006: 'Insufficient access, The organisation does not have access to this operation.',
  WSEC0136: 'Supplied ULN is invalid.',
};

/** `yyyy-MM-dd HH:mm:ss` (UTC), the ErrorTimestamp / MIAPDateTime format. */
export const miapTimestamp = (d = new Date()): string => d.toISOString().slice(0, 19).replace('T', ' ');

export interface MiapFault {
  readonly code: string;
  readonly actor?: string;
  readonly description?: string;
  readonly furtherDetails: string;
}

/** The recorded MIAPAPIException fault envelope (soapenv / ns10 prefixes, unqualified children). */
export const miapFaultXml = (f: MiapFault): string =>
  writeXml(
    el(
      'soapenv:Envelope',
      [
        el('soapenv:Body', [
          el('soapenv:Fault', [
            el('faultcode', 'soapenv:Server'),
            el('faultstring', 'uk.gov.miap.lrs.api.exceptions.MIAPAPIException'),
            el('detail', [
              el(
                'ns10:MIAPAPIException',
                [
                  el('ErrorCode', f.code),
                  el('ErrorActor', f.actor ?? ACTOR_VALIDATOR),
                  el('Description', f.description ?? WSEC_DESCRIPTIONS[f.code] ?? f.code),
                  el('FurtherDetails', f.furtherDetails),
                  el('ErrorTimestamp', miapTimestamp()),
                ],
                { 'xmlns:ns10': 'http://api.lrs.miap.gov.uk/exceptions' },
              ),
            ]),
          ]),
        ]),
      ],
      { 'xmlns:soapenv': SOAP_ENV },
    ),
  );

/** The fault the LRS answers during maintenance and to a non-POST request (recorded error_down_ful.xml). */
export const unsupportedVerbXml = (verb: string): string =>
  miapFaultXml({
    code: 'WSEC0001',
    description: 'UnsupportedHttpVerb',
    furtherDetails: `UnsupportedHttpVerb ${verb}`,
  });

/**
 * A WCF FaultException<DomainFault> (R9 and ExternalService). No recorded example exists: faultcode
 * s:Client, faultstring = description, ErrorDetail = base64 of the description (documented choice).
 */
export const domainFaultXml = (code: string, message?: string): string => {
  const text = message ?? WSEC_DESCRIPTIONS[code] ?? code;
  return writeXml(
    el(
      's:Envelope',
      [
        el('s:Body', [
          el('s:Fault', [
            el('faultcode', 's:Client'),
            el('faultstring', text, { 'xml:lang': 'en-GB' }),
            el('detail', [
              el(
                'DomainFault',
                [el('ErrorCode', code), el('ErrorDetail', Buffer.from(text, 'utf8').toString('base64'))],
                {
                  xmlns: 'http://api.lrs.qcf.gov.uk/faults',
                  'xmlns:i': 'http://www.w3.org/2001/XMLSchema-instance',
                },
              ),
            ]),
          ]),
        ]),
      ],
      { 'xmlns:s': SOAP_ENV },
    ),
  );
};

/** A WCF dispatcher fault (bad message body, unknown action, wrong SOAP version). */
export const wcfFaultXml = (
  faultcode: WNode | string,
  faultstring: string,
  codeNs?: { prefix: string; ns: string },
): string =>
  writeXml(
    el(
      's:Envelope',
      [
        el('s:Body', [
          el('s:Fault', [
            typeof faultcode === 'string'
              ? el('faultcode', faultcode, codeNs ? { [`xmlns:${codeNs.prefix}`]: codeNs.ns } : undefined)
              : faultcode,
            el('faultstring', faultstring, { 'xml:lang': 'en-GB' }),
          ]),
        ]),
      ],
      { 'xmlns:s': SOAP_ENV },
    ),
  );

export const WCF_DISPATCHER_NS =
  'http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher';
export const WCF_ADDRESSING_NONE_NS = 'http://schemas.microsoft.com/ws/2005/05/addressing/none';
