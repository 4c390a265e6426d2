/**
 * A small namespace-aware XML tree (parsed with saxes) and an XML writer with exact control of
 * prefixes, which the simulator needs to answer byte-for-byte like the recorded LRS messages.
 */
import { SaxesParser } from 'saxes';

export interface XmlAttr {
  readonly ns: string;
  readonly local: string;
  readonly prefix: string;
  readonly value: string;
}

export interface XmlEl {
  readonly ns: string;
  readonly local: string;
  /** The name as written, with its prefix (`fin:FindLearnerByULN`). */
  readonly raw: string;
  readonly attrs: XmlAttr[];
  readonly children: XmlEl[];
  /** Concatenated character data directly inside this element. */
  text: string;
  /** True when non-whitespace character data sits directly inside an element that also has children. */
  mixed: boolean;
}

export const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const XMLNS = 'http://www.w3.org/2000/xmlns/';

export class XmlParseError extends Error {}

/** Parses a document into an element tree. Throws XmlParseError on malformed XML or a DOCTYPE. */
export const parseXml = (xml: string): XmlEl => {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlEl[] = [];
  let root: XmlEl | undefined;
  let failure: Error | undefined;
  parser.on('error', (e) => {
    failure ??= e;
  });
  parser.on('doctype', () => {
    failure ??= new Error('DOCTYPE is disallowed');
  });
  parser.on('opentag', (tag) => {
    const attrs: XmlAttr[] = [];
    for (const a of Object.values(tag.attributes)) {
      if (a.uri === XMLNS || a.name === 'xmlns' || a.prefix === 'xmlns') continue;
      attrs.push({ ns: a.uri, local: a.local, prefix: a.prefix, value: a.value });
    }
    const el: XmlEl = {
      ns: tag.uri ?? '',
      local: tag.local ?? tag.name,
      raw: tag.name,
      attrs,
      children: [],
      text: '',
      mixed: false,
    };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  const onText = (t: string) => {
    const cur = stack[stack.length - 1];
    if (cur) cur.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const el = stack.pop();
    if (el && el.children.length > 0 && el.text.trim() !== '') el.mixed = true;
  });
  try {
    parser.write(xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml).close();
  } catch (e) {
    failure ??= e as Error;
  }
  if (failure) throw new XmlParseError(failure.message);
  if (!root) throw new XmlParseError('Premature end of file.');
  return root;
};

export const isNil = (el: XmlEl): boolean =>
  el.attrs.some((a) => a.ns === XSI && a.local === 'nil' && (a.value === 'true' || a.value === '1'));

export const child = (el: XmlEl | undefined, local: string, ns = ''): XmlEl | undefined =>
  el?.children.find((c) => c.local === local && c.ns === ns);

/** Text of a child element; undefined when absent or xsi:nil. */
export const childText = (el: XmlEl | undefined, local: string, ns = ''): string | undefined => {
  const c = child(el, local, ns);
  if (!c || isNil(c)) return undefined;
  return c.text;
};

export const escapeXml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );

/** Writer node: an element with a literal qualified name, literal attributes and children or text. */
export interface WNode {
  readonly name: string;
  readonly attrs?: Readonly<Record<string, string>>;
  readonly children?: readonly (WNode | undefined | false)[];
  readonly text?: string;
}

export const el = (
  name: string,
  childrenOrText?: readonly (WNode | undefined | false)[] | string,
  attrs?: Readonly<Record<string, string>>,
): WNode =>
  typeof childrenOrText === 'string'
    ? { name, text: childrenOrText, ...(attrs ? { attrs } : {}) }
    : { name, children: childrenOrText ?? [], ...(attrs ? { attrs } : {}) };

export const writeXml = (node: WNode): string => {
  const parts: string[] = [];
  const walk = (n: WNode) => {
    parts.push('<', n.name);
    if (n.attrs) for (const [k, v] of Object.entries(n.attrs)) parts.push(' ', k, '="', escapeXml(v), '"');
    const kids = (n.children ?? []).filter((c): c is WNode => Boolean(c));
    if (kids.length === 0 && (n.text === undefined || n.text === '')) {
      parts.push('/>');
      return;
    }
    parts.push('>');
    if (n.text !== undefined) parts.push(escapeXml(n.text));
    for (const k of kids) walk(k);
    parts.push('</', n.name, '>');
  };
  walk(node);
  return parts.join('');
};
