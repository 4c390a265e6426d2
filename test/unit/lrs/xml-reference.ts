/**
 * Reference parser (saxes, full well-formedness checking) for the differential tests that hold the
 * adapter's fast parser (`parseXml`) to it: the same tree, built from saxes' events.
 *
 * Parses a whole document into a tree. Throws XmlParseError on malformed XML. Only the element tree
 * is kept; comments, processing instructions and the XML declaration are ignored. Namespaces are
 * resolved with the adapter's scope helpers rather than saxes' `xmlns` mode: the result is the same
 * (URI + local name for every element, prefixes ignored).
 */
import { SaxesParser } from 'saxes';
import { NS } from '../../../shared/lrs/contract/operations.js';
import { resolveIn, rootScope, type Scope, XmlParseError, type XNode } from '../../../shared/lrs/soap/xml.js';

const NO_CHILDREN: XNode[] = Object.freeze([]) as unknown as XNode[];

export const parseXmlSaxes = (xml: string): XNode => {
  const parser = new SaxesParser({ position: false });
  const root: XNode = { ns: '', name: '#document', nil: false, text: '', children: [] };
  const stack: XNode[] = [root];
  // Namespace scopes chained through prototypes: a lookup is one property read. Each scope also
  // caches its resolved qualified names, so `a:LearningEvent` is split and resolved once per scope.
  let scope: Scope = rootScope();
  const scopeStack: Scope[] = [];
  const scopeOpenedAt: number[] = [];
  let top: XNode = root;
  const resolveName = (qn: string): readonly [string, string] => {
    let r = scope.names.get(qn);
    if (r === undefined) {
      r = resolveIn(scope, qn);
    }
    return r;
  };
  parser.on('opentag', (tag) => {
    const attrs = tag.attributes as Record<string, string>;
    let nilQName: string | undefined;
    for (const key in attrs) {
      if (key.charCodeAt(0) === 120 /* x */ && (key === 'xmlns' || key.startsWith('xmlns:'))) {
        if (scopeOpenedAt[scopeOpenedAt.length - 1] !== stack.length) {
          scopeStack.push(scope);
          scopeOpenedAt.push(stack.length);
          scope = { uris: Object.create(scope.uris) as Record<string, string>, names: new Map() };
        }
        scope.uris[key === 'xmlns' ? '' : key.slice(6)] = attrs[key] ?? '';
      } else if (key === 'nil' || key.endsWith(':nil')) {
        nilQName = key;
      }
    }
    const [uri, local] = resolveName(tag.name);
    let nil = false;
    if (nilQName !== undefined) {
      const c = nilQName.indexOf(':');
      const raw = attrs[nilQName];
      nil = (c < 0 ? '' : scope.uris[nilQName.slice(0, c)]) === NS.xsi && (raw === 'true' || raw === '1');
    }
    const node: XNode = { ns: uri, name: local, nil, text: '', children: NO_CHILDREN };
    if (top.children === NO_CHILDREN) top.children = [node];
    else top.children.push(node);
    stack.push(node);
    top = node;
  });
  const onText = (t: string): void => {
    // Text after a child element is whitespace between elements in every LRS message: skip it.
    if (top.children === NO_CHILDREN && top !== root) top.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const node = stack.pop();
    if (node && node.children !== NO_CHILDREN) node.text = '';
    if (scopeOpenedAt[scopeOpenedAt.length - 1] === stack.length) {
      scopeOpenedAt.pop();
      scope = scopeStack.pop() ?? scope;
    }
    top = stack[stack.length - 1] ?? root;
  });
  try {
    parser.write(xml).close();
  } catch (e) {
    if (e instanceof XmlParseError) throw e;
    throw new XmlParseError(`Malformed XML: ${(e as Error).message.split('\n')[0] ?? ''}`, { cause: e });
  }
  return root;
};
