/**
 * Small, fast XML helpers for the LRS adapter: escaping for request building, and a
 * namespace-aware, prefix-agnostic tree parser (saxes) for responses and faults.
 *
 * The tree keeps only what the adapter needs: element namespace URI + local name, whether the
 * element carries `xsi:nil="true"`, its text, and its child elements. Whitespace-only text between
 * elements is dropped; text is kept exactly otherwise (trailing spaces in LRS data are significant,
 * e.g. `Test Academy Bristol `).
 */
import { SaxesParser } from 'saxes';
import { NS } from './operations.js';

/** Escapes a value for element content or a double-quoted attribute. */
export const escapeXml = (value: string): string => {
  // Fast path: most values need no escaping.
  if (!/[&<>"']/.test(value)) return value;
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
};

/** Characters XML 1.0 cannot carry at all (not even escaped). */
const INVALID_XML_CHARS_SOURCE =
  '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
export const INVALID_XML_CHARS = new RegExp(INVALID_XML_CHARS_SOURCE);

export interface XNode {
  /** Namespace URI ('' when unqualified). */
  readonly ns: string;
  /** Local name (no prefix). */
  readonly name: string;
  /** True when the element has xsi:nil="true". */
  nil: boolean;
  text: string;
  /** Child elements; leaves share one empty, frozen array. */
  children: XNode[];
}

/** Shared by every leaf so that parsing allocates no array per leaf element. */
const NO_CHILDREN: XNode[] = Object.freeze([]) as unknown as XNode[];

export class XmlParseError extends Error {}

/**
 * Parses a whole document into a tree. Throws XmlParseError on malformed XML.
 * Only the element tree is kept; comments, processing instructions and the XML declaration are ignored.
 *
 * Namespaces are resolved here with a small scope stack rather than by saxes' `xmlns` mode: the
 * result is the same (URI + local name for every element, prefixes ignored), at about half the cost
 * on a 1,000-event PLR response.
 */
export const parseXml = (xml: string): XNode => {
  const parser = new SaxesParser({ position: false });
  const root: XNode = { ns: '', name: '#document', nil: false, text: '', children: [] };
  const stack: XNode[] = [root];
  // Namespace scopes chained through prototypes: a lookup is one property read. Each scope also
  // caches its resolved qualified names, so `a:LearningEvent` is split and resolved once per scope.
  interface Scope {
    readonly uris: Record<string, string>;
    readonly names: Map<string, readonly [string, string]>;
  }
  const base: Record<string, string> = Object.create(null) as Record<string, string>;
  base.xml = 'http://www.w3.org/XML/1998/namespace';
  base[''] = '';
  let scope: Scope = { uris: base, names: new Map() };
  const scopeStack: Scope[] = [];
  const scopeOpenedAt: number[] = [];
  let top: XNode = root;
  const resolveName = (qn: string): readonly [string, string] => {
    let r = scope.names.get(qn);
    if (r === undefined) {
      const colon = qn.indexOf(':');
      const uri = colon < 0 ? scope.uris[''] : scope.uris[qn.slice(0, colon)];
      if (uri === undefined) throw new XmlParseError('Malformed XML: unbound namespace prefix');
      r = [uri, colon < 0 ? qn : qn.slice(colon + 1)];
      scope.names.set(qn, r);
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

/** First child with this local name (any namespace: prefix-agnostic and tolerant of qualification). */
export const child = (node: XNode | undefined, name: string): XNode | undefined => {
  if (!node) return undefined;
  for (const c of node.children) if (c.name === name) return c;
  return undefined;
};

/** All children with this local name, in document order. */
export const childrenNamed = (node: XNode | undefined, name: string): XNode[] => {
  if (!node) return [];
  return node.children.filter((c) => c.name === name);
};

/** Text of a child; `i:nil`, empty and absent all give undefined. */
export const textOf = (node: XNode | undefined, name: string): string | undefined => {
  const c = child(node, name);
  if (!c || c.nil || c.text === '') return undefined;
  return c.text;
};

/** Text of the node itself, with the same "no value" rule. */
export const ownText = (node: XNode | undefined): string | undefined =>
  !node || node.nil || node.text === '' ? undefined : node.text;

/** Walk a path of local names from a node. */
export const path = (node: XNode | undefined, ...names: string[]): XNode | undefined => {
  let n = node;
  for (const name of names) n = child(n, name);
  return n;
};
