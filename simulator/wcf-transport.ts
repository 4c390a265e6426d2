/**
 * What the WCF host in front of every LRS service checks before a message reaches an operation, as
 * strictly as WCF (BasicHttpBinding, SOAP 1.1 text encoding):
 *
 * - the charset of `text/xml` must be UTF-8 (absent means UTF-8): anything else is HTTP 415 with
 *   WCF's message;
 * - a SOAP header with `mustUnderstand="1"` (or `true`) that the service does not understand (it
 *   understands none: BasicHttpBinding without WS-Security) is an `s:MustUnderstand` fault;
 * - the SOAPAction must be one the service offers. R9 and ExternalService dispatch on it: missing,
 *   empty or unknown → `a:ActionNotSupported`. LearnerService declares `""` for nine operations and
 *   `http://tempuri.org/LearnerPortType/verifyLearner`, and a production client sends no SOAPAction at
 *   all: missing, empty, or the action of the body's operation are accepted, anything else →
 *   `a:ActionNotSupported`.
 */
import { type OpResult, refusal } from './context.js';
import { SOAP_ENV, WCF_ADDRESSING_NONE_NS, wcfFaultXml } from './faults.js';
import { OPERATION_BY_ELEMENT } from './learner-service/common.js';
import { EXTERNAL_OPERATIONS } from './wcf/achievements.js';
import { R9_OPERATIONS } from './wcf/r9.js';
import type { XmlEl } from './xml.js';

export type ServiceKind = 'learner' | 'r9' | 'external';

/** 415 unless the Content-Type is text/xml with a UTF-8 (or no) charset. */
export const contentTypeProblem = (contentType: string): OpResult | undefined => {
  const ctype = contentType.toLowerCase();
  const [type = '', ...params] = ctype.split(';');
  const charset = params
    .map((p) => p.trim())
    .find((p) => p.startsWith('charset='))
    ?.slice(8)
    .replace(/^"|"$/g, '');
  if (type.trim() === 'text/xml' && (charset === undefined || charset === 'utf-8')) return undefined;
  return refusal(
    415,
    'UnsupportedMediaType',
    `Cannot process the message because the content type '${ctype}' was not the expected type 'text/xml; charset=utf-8'.`,
  );
};

/** An `s:MustUnderstand` fault for the first mustUnderstand header, if any. */
export const mustUnderstandProblem = (envelope: XmlEl): OpResult | undefined => {
  const header = envelope.children.find((c) => c.local === 'Header' && c.ns === SOAP_ENV);
  for (const h of header?.children ?? []) {
    const mu = h.attrs.find((a) => a.local === 'mustUnderstand' && a.ns === SOAP_ENV);
    if (mu && (mu.value.trim() === '1' || mu.value.trim() === 'true')) {
      return refusal(
        500,
        'MustUnderstand',
        wcfFaultXml(
          's:MustUnderstand',
          `The header '${h.local}' from the namespace '${h.ns}' was not understood by the recipient of this message, causing the message to not be processed.  This error typically indicates that the sender of this message has enabled a communication protocol that the receiver cannot process.  Please ensure that the configuration of the sender's binding is consistent with the receiver's.`,
        ),
      );
    }
  }
  return undefined;
};

const actionNotSupported = (action: string): OpResult =>
  refusal(
    500,
    'ActionNotSupported',
    wcfFaultXml(
      'a:ActionNotSupported',
      `The message with Action '${action}' cannot be processed at the receiver, due to a ContractFilter mismatch at the EndpointDispatcher. This may be because of either a contract mismatch (mismatched Actions between sender and receiver) or a binding/security mismatch between the sender and the receiver.  Check that sender and receiver have the same contract and the same binding (including security requirements, e.g. Message, Transport, None).`,
      { prefix: 'a', ns: WCF_ADDRESSING_NONE_NS },
    ),
  );

const PREFIX = {
  r9: 'http://tempuri.org/ILearnerServiceR9/',
  external: 'http://api.lrs.qcf.gov.uk/services/IExternalService/',
} as const;

/**
 * Routes by SOAPAction as WCF does: the R9/ExternalService operation named by the action, or for
 * LearnerService the body's element (checked against the action); otherwise an ActionNotSupported fault.
 */
export const routeByAction = (
  kind: ServiceKind,
  soapAction: string | string[] | undefined,
  request: XmlEl,
): { op: string } | { fault: OpResult } => {
  const action = String(soapAction ?? '')
    .trim()
    .replace(/^"(.*)"$/, '$1');
  if (kind === 'learner') {
    const op = OPERATION_BY_ELEMENT[request.local];
    const ok = action === '' || (op !== undefined && action === `http://tempuri.org/LearnerPortType/${op}`);
    return ok ? { op: op ?? request.local } : { fault: actionNotSupported(action) };
  }
  const ops = kind === 'r9' ? R9_OPERATIONS : EXTERNAL_OPERATIONS;
  const prefix = PREFIX[kind];
  const op = action.startsWith(prefix) ? ops.find((o) => prefix + o === action) : undefined;
  return op ? { op } : { fault: actionNotSupported(action) };
};
