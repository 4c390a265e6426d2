/** Renders an XML element tree as indented text: `alias:Name=value`, for element-by-element checks. */
import type { XNode } from '../../../shared/lrs/soap/xml.js';

/** Namespace aliases written out here on purpose (not taken from the adapter's code). */
export const ALIAS: Record<string, string> = {
  'http://api.lrs.miap.gov.uk/findmsg': 'findmsg',
  'http://api.lrs.miap.gov.uk/regmsg': 'regmsg',
  'http://api.lrs.miap.gov.uk/batchmsg': 'batchmsg',
  'http://api.lrs.miap.gov.uk/vldmsg': 'vldmsg',
  'http://api.lrs.miap.gov.uk/reportmsg': 'reportmsg',
  'http://api.lrs.miap.gov.uk/learner': 'learner',
  'http://tempuri.org/': 'tempuri',
  'http://schemas.datacontract.org/2004/07/Amor.Qcf.Service.Interface': 'ServiceInterface',
  'http://schemas.datacontract.org/2004/07/Amor.Qcf.Common': 'Common',
  'http://api.lrs.qcf.gov.uk/model': 'model',
  'http://api.lrs.qcf.gov.uk/services': 'services',
  'http://schemas.xmlsoap.org/soap/envelope/': 'soapenv',
};

export const render = (node: XNode, depth = 0): string => {
  const alias = node.ns === '' ? '' : `${ALIAS[node.ns] ?? `{${node.ns}}`}:`;
  const head = `${'  '.repeat(depth)}${alias}${node.name}`;
  const line = node.nil ? `${head} nil` : node.children.length === 0 ? `${head}=${node.text}` : head;
  return [line, ...node.children.map((c) => render(c, depth + 1))].join('\n');
};
