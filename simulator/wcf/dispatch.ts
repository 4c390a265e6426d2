/**
 * One R9 or ExternalService request from body to answer: the body element and its wrapper sequence
 * (a:DeserializationFailed otherwise), the credentials (DomainFault), then the operation.
 */
import { authenticate, type OpResult, type SimState, SoapFailure } from '../context.js';
import { WCF_DISPATCHER_NS, wcfFaultXml } from '../faults.js';
import { type ComplexType, validateComplex, WCF_REQUESTS } from '../schema.js';
import { child, childText, type WNode, type XmlEl } from '../xml.js';
import {
  completeDueAchievementJobs,
  getAchievementBatchJob,
  submitAchievementBatchJob,
} from './achievements.js';
import {
  domainFault,
  NS_MODEL,
  NS_SERVICES,
  NS_TEMPURI,
  type WcfCaller,
  type WcfHandler,
  type WcfService,
  wrapped,
} from './envelope.js';
import { R9_HANDLERS } from './r9.js';

const deserializationFault = (op: string, detail: string) =>
  new SoapFailure(
    500,
    wcfFaultXml(
      'a:DeserializationFailed',
      `The formatter threw an exception while trying to deserialize the message: Error in deserializing body of request message for operation '${op}'. ${detail}`,
      { prefix: 'a', ns: WCF_DISPATCHER_NS },
    ),
    'DeserializationFailed',
  );

/** Answers one R9 or ExternalService request for operation `op` whose body element is `body`. */
export const handleWcf = (service: WcfService, op: string, body: XmlEl, state: SimState): OpResult => {
  try {
    const def = WCF_REQUESTS[op] as { ns: string; type: ComplexType };
    if (body.local !== op || body.ns !== def.ns) {
      throw deserializationFault(
        op,
        `OperationFormatter encountered an invalid Message body. Expected to find node type 'Element' with name '${op}' and namespace '${def.ns}'. Found node type 'Element' with name '${body.local}' and namespace '${body.ns}'`,
      );
    }
    const invalid = validateComplex(body, def.type);
    if (invalid) throw deserializationFault(op, invalid.message);
    let auth: ReturnType<typeof authenticate>;
    let userName: string;
    if (service === 'external') {
      const u = child(body, 'invokingUser', NS_SERVICES);
      userName = childText(u, 'UserName', NS_MODEL) ?? '';
      auth = authenticate(
        { orgRef: childText(u, 'OrganisationRef', NS_MODEL) },
        childText(u, 'OrgPassword', NS_MODEL),
        op,
      );
    } else {
      const inv = child(body, 'invokingOrganisation', NS_TEMPURI);
      const ns = inv?.children[0]?.ns ?? '';
      userName = childText(inv, 'Username', ns) ?? '';
      auth = authenticate(
        {
          ukprn: childText(inv, 'Ukprn', ns),
          orgRef: childText(inv, op === 'GetLearnerLearningEvents' ? 'OrganisationRef' : 'Reference', ns),
        },
        childText(inv, 'Password', ns),
        op,
      );
    }
    if ('problem' in auth) {
      domainFault(auth.problem);
      throw new Error('unreachable');
    }
    const org: WcfCaller = {
      ukprn: auth.org.ukprn,
      displayName: auth.org.displayName,
      userName: userName || auth.org.userName,
    };
    let r: { result: WNode; code: string };
    if (service === 'external') {
      completeDueAchievementJobs(state);
      r =
        op === 'SubmitAchievementBatchJob'
          ? submitAchievementBatchJob(body, state, org)
          : getAchievementBatchJob(body, state, org);
    } else {
      r = (R9_HANDLERS[op] as WcfHandler)(body, state, org);
    }
    return { status: 200, operation: op, code: r.code, body: wrapped(service, op, r.result) };
  } catch (err) {
    if (err instanceof SoapFailure)
      return { status: err.status, operation: op, code: err.code, body: err.body };
    throw err;
  }
};
