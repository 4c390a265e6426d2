/**
 * Our own WSDL 1.1 documents for the three LRS services, generated from the request contract and the
 * operation table (never copied from the LRS files). Small on purpose: requests are described element
 * by element (names, order, namespaces, occurrence); response content is `xs:any` because the adapter
 * parses responses itself (shared/lrs/soap/parse.ts), order-tolerantly. Faults: MIAPAPIException for
 * LearnerService, DomainFault for the two WCF services. SOAP 1.1, document/literal.
 *
 * The text is built in memory (no file on disk, so a bundled Lambda needs nothing else). Readable
 * copies live in shared/lrs/contract/wsdl/*.wsdl, kept in sync by test/unit/lrs/wsdl-files.test.ts
 * (UPDATE_WSDL=1 rewrites them).
 */

import { type ContractElement, REQUEST_CONTRACT } from './elements.js';
import { type LrsServiceName, NS, OPERATION_LIST, type OperationId, SERVICES } from './operations.js';

const XS = 'http://www.w3.org/2001/XMLSchema';

const SIMPLE: Record<string, string> = {
  'xs:int': 'xs:int',
  'xs:long': 'xs:long',
  'xs:dateTime': 'xs:dateTime',
  MIAPLearnerRecordCount: 'xs:int',
};
const simpleType = (t: string): string => SIMPLE[t] ?? 'xs:string';

interface SchemaDoc {
  readonly ns: string;
  readonly items: string[];
  readonly types: Set<string>;
  readonly imports: Set<string>;
}

const occurs = (el: ContractElement): string =>
  `${el.minOccurs === 1 ? '' : ' minOccurs="0"'}${
    el.maxOccurs === 1 ? '' : ` maxOccurs="${Number.isFinite(el.maxOccurs) ? el.maxOccurs : 'unbounded'}"`
  }${el.nillable ? ' nillable="true"' : ''}`;

/** The operations of a service, or the one asked for (which must be of that service). */
const serviceOperations = (service: LrsServiceName, only?: OperationId) => {
  const ops = OPERATION_LIST.filter((o) => o.service === service && (only === undefined || o.id === only));
  if (ops.length === 0) throw new Error(`${only} is not an operation of ${service}`);
  return ops;
};

/** Open content: what response elements are, and what request elements are in a transport WSDL. */
const anyContent = (name: string): string =>
  `<xs:element name="${name}"><xs:complexType><xs:sequence><xs:any minOccurs="0" maxOccurs="unbounded" processContents="lax" namespace="##any"/></xs:sequence></xs:complexType></xs:element>`;

/**
 * Builds the schemas for one service: one xs:schema per namespace. With `requests: 'any'` the request
 * elements are open content too (see WsdlOptions).
 */
const buildSchemas = (
  service: LrsServiceName,
  ops: readonly (typeof OPERATION_LIST)[number][],
  requests: 'contract' | 'any' = 'contract',
): Map<string, SchemaDoc> => {
  const schemas = new Map<string, SchemaDoc>();
  const schema = (ns: string): SchemaDoc => {
    let s = schemas.get(ns);
    if (!s) {
      s = { ns, items: [], types: new Set(), imports: new Set() };
      schemas.set(ns, s);
    }
    return s;
  };
  const prefixFor = new Map<string, string>();
  const pfx = (ns: string): string => {
    let p = prefixFor.get(ns);
    if (!p) {
      p = `q${prefixFor.size + 1}`;
      prefixFor.set(ns, p);
    }
    return p;
  };

  /** Declares a group's complex type in the schema of its children; returns the QName to use. */
  const complexType = (el: ContractElement, owner: SchemaDoc): string => {
    const childNs = el.children?.find((c) => c.ns !== '')?.ns ?? owner.ns;
    const target = schema(childNs);
    if (!target.types.has(el.type)) {
      target.types.add(el.type);
      const seq = (el.children ?? []).map((c) => element(c, target)).join('');
      target.items.push(
        `<xs:complexType name="${el.type}"><xs:sequence>${seq}</xs:sequence></xs:complexType>`,
      );
    }
    if (target !== owner) owner.imports.add(target.ns);
    return `${pfx(target.ns)}:${el.type}`;
  };

  const element = (el: ContractElement, owner: SchemaDoc): string => {
    const form = el.ns === '' ? ' form="unqualified"' : '';
    const type = el.children ? complexType(el, owner) : simpleType(el.type);
    return `<xs:element name="${el.name}"${form} type="${type}"${occurs(el)}/>`;
  };

  for (const op of ops) {
    const root = REQUEST_CONTRACT[op.id];
    const s = schema(root.ns);
    if (requests === 'any') {
      s.items.push(anyContent(root.name));
    } else {
      const seq = (root.children ?? []).map((c) => element(c, s)).join('');
      s.items.push(
        `<xs:element name="${root.name}"><xs:complexType><xs:sequence>${seq}</xs:sequence></xs:complexType></xs:element>`,
      );
    }
    const rs = schema(op.response.ns);
    if (!rs.types.has(`#${op.response.name}`)) {
      rs.types.add(`#${op.response.name}`);
      rs.items.push(anyContent(op.response.name));
    }
  }
  if (service === 'LearnerService') {
    schema(NS.exceptions).items.push(
      '<xs:element name="MIAPAPIException"><xs:complexType><xs:sequence>' +
        ['ErrorCode', 'ErrorActor', 'Description', 'FurtherDetails', 'ErrorTimestamp']
          .map((n) => `<xs:element name="${n}" form="unqualified" type="xs:string" minOccurs="0"/>`)
          .join('') +
        '</xs:sequence></xs:complexType></xs:element>',
    );
  } else {
    schema(NS.faults).items.push(
      '<xs:element name="DomainFault"><xs:complexType><xs:sequence>' +
        '<xs:element name="ErrorCode" type="xs:string" minOccurs="0" nillable="true"/>' +
        '<xs:element name="ErrorDetail" type="xs:base64Binary" minOccurs="0" nillable="true"/>' +
        '</xs:sequence></xs:complexType></xs:element>',
    );
  }
  // Record prefixes used across schemas so every schema can declare them.
  for (const s of schemas.values()) pfx(s.ns);
  (schemas as Map<string, SchemaDoc> & { prefixes?: Map<string, string> }).prefixes = prefixFor;
  return schemas;
};

const TNS: Record<LrsServiceName, string> = {
  LearnerService: 'http://tempuri.org/',
  LearnerServiceR9: 'http://tempuri.org/',
  ExternalService: NS.services,
};
const PORT_TYPE: Record<LrsServiceName, string> = {
  LearnerService: 'LearnerPortType',
  LearnerServiceR9: 'ILearnerServiceR9',
  ExternalService: 'IExternalService',
};

const schemaFileName = (ns: string): string =>
  `${ns
    .replace(/^https?:\/\//, '')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/_+$/, '')}.xsd`;

/**
 * The same schemas as the WSDL's types section, as standalone XSD documents (imports carry a
 * schemaLocation), so tests can validate requests against our own description of each service.
 */
export const schemaDocumentsFor = (service: LrsServiceName): { fileName: string; contents: string }[] => {
  const schemas = buildSchemas(service, serviceOperations(service));
  const prefixes = (schemas as Map<string, SchemaDoc> & { prefixes: Map<string, string> }).prefixes;
  const nsDecls = [...prefixes].map(([ns, p]) => ` xmlns:${p}="${ns}"`).join('');
  return [...schemas.values()].map((sd) => ({
    fileName: schemaFileName(sd.ns),
    contents:
      `<?xml version="1.0" encoding="UTF-8"?><xs:schema xmlns:xs="${XS}"${nsDecls} targetNamespace="${sd.ns}" elementFormDefault="qualified">` +
      [...sd.imports]
        .map((i) => `<xs:import namespace="${i}" schemaLocation="${schemaFileName(i)}"/>`)
        .join('') +
      sd.items.join('') +
      '</xs:schema>',
  }));
};

/** The schema file that declares a namespace (see schemaDocumentsFor). */
export const schemaFileFor = schemaFileName;

export interface WsdlOptions {
  /**
   * `contract` (default): request elements described element by element, as published. `any`: open
   * content, for the SOAP client's own use: the adapter hands soap finished bodies (`_xml`) and parses the
   * answers itself, so soap needs only the operations, SOAPActions and binding, and parsing this smaller
   * WSDL on a cold start's first call takes a fraction of the time.
   */
  readonly requests?: 'contract' | 'any';
  /**
   * Only this operation (of the service), for a soap client that calls no other: the adapter keeps one
   * client per operation called (most functions call one; register-learner two), and on a cold start soap
   * parses a one-operation WSDL in a fraction of the time of the whole service's (LearnerService: 10.9–11.7
   * → 4.7–5.2 ms here). The envelope soap wraps around a body declares fewer namespace prefixes with it;
   * the bodies declare their own (shared/lrs/soap/request.ts), so what the LRS reads is the same.
   */
  readonly operation?: OperationId;
}

/** The WSDL text of one service, for an endpoint base URL (e.g. https://ws.lrs.education.gov.uk). */
export const wsdlFor = (
  service: LrsServiceName,
  baseUrl = 'https://ws.lrs.education.gov.uk',
  options: WsdlOptions = {},
): string => {
  const ops = serviceOperations(service, options.operation);
  const schemas = buildSchemas(service, ops, options.requests);
  const prefixes = (schemas as Map<string, SchemaDoc> & { prefixes: Map<string, string> }).prefixes;
  const nsDecls = [...prefixes].map(([ns, p]) => ` xmlns:${p}="${ns}"`).join('');
  const types = [...schemas.values()]
    .map(
      (s) =>
        `<xs:schema targetNamespace="${s.ns}" elementFormDefault="qualified">` +
        [...s.imports].map((i) => `<xs:import namespace="${i}"/>`).join('') +
        s.items.join('') +
        '</xs:schema>',
    )
    .join('');
  const faultEl =
    service === 'LearnerService'
      ? `${prefixes.get(NS.exceptions)}:MIAPAPIException`
      : `${prefixes.get(NS.faults)}:DomainFault`;
  const faultName = service === 'LearnerService' ? 'MIAPAPIException' : 'DomainFault';
  const messages =
    ops
      .map(
        (o) =>
          `<wsdl:message name="${o.lrsName}Request"><wsdl:part name="parameters" element="${prefixes.get(o.request.ns)}:${o.request.name}"/></wsdl:message>` +
          `<wsdl:message name="${o.lrsName}Response"><wsdl:part name="parameters" element="${prefixes.get(o.response.ns)}:${o.response.name}"/></wsdl:message>`,
      )
      .join('') +
    `<wsdl:message name="${faultName}"><wsdl:part name="detail" element="${faultEl}"/></wsdl:message>`;
  const portType = ops
    .map(
      (o) =>
        `<wsdl:operation name="${o.lrsName}"><wsdl:input message="tns:${o.lrsName}Request"/><wsdl:output message="tns:${o.lrsName}Response"/><wsdl:fault name="${faultName}" message="tns:${faultName}"/></wsdl:operation>`,
    )
    .join('');
  const binding = ops
    .map(
      (o) =>
        `<wsdl:operation name="${o.lrsName}"><soap:operation soapAction="${o.soapAction}" style="document"/>` +
        '<wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output>' +
        `<wsdl:fault name="${faultName}"><soap:fault name="${faultName}" use="literal"/></wsdl:fault></wsdl:operation>`,
    )
    .join('');
  const pt = PORT_TYPE[service];
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<wsdl:definitions name="${service}" targetNamespace="${TNS[service]}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xs="${XS}" xmlns:tns="${TNS[service]}"${nsDecls}>` +
    `<wsdl:types>${types}</wsdl:types>` +
    messages +
    `<wsdl:portType name="${pt}">${portType}</wsdl:portType>` +
    `<wsdl:binding name="BasicHttpBinding_${pt}" type="tns:${pt}"><soap:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>${binding}</wsdl:binding>` +
    `<wsdl:service name="${service}Proxy"><wsdl:port name="BasicHttpBinding_${pt}" binding="tns:BasicHttpBinding_${pt}"><soap:address location="${baseUrl.replace(/\/$/, '')}${SERVICES[service].path}"/></wsdl:port></wsdl:service>` +
    '</wsdl:definitions>'
  );
};
