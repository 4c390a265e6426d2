/**
 * The schemas embedded in the live WCF single-WSDLs (../shared/lrs-reference/sunsis-core/current-wcf,
 * read in tests only), as separate XSD files whose imports point at each other, for xmllint-wasm.
 */
import { join } from 'node:path';
import { readReference, WCF_DIR } from './reference.js';

/** The WSDL's embedded schemas as separate files, imports pointed at each other. */
export const wsdlSchemas = (wsdl: string) => {
  const text = readReference(join(WCF_DIR, wsdl));
  // Namespace prefixes declared on wsdl:definitions are in scope for the embedded schemas.
  const rootDecls = [
    ...(text.match(/<wsdl:definitions[^>]*>/)?.[0] ?? '').matchAll(/xmlns:([\w-]+)="([^"]*)"/g),
  ];
  const blocks = [...text.matchAll(/<xs:schema[\s\S]*?<\/xs:schema>/g)].map((m) =>
    m[0].replace(/^<xs:schema([^>]*)>/, (_t, attrs: string) => {
      const extra = rootDecls
        .filter(([, prefix]) => !attrs.includes(`xmlns:${prefix}=`))
        .map(([decl]) => decl);
      return `<xs:schema${attrs} ${extra.join(' ')}>`;
    }),
  );
  const fileOf = new Map(
    blocks.map((b, i) => [b.match(/targetNamespace="([^"]+)"/)?.[1] as string, `${wsdl}.${i}.xsd`]),
  );
  const files = blocks.map((b, i) => ({
    fileName: `${wsdl}.${i}.xsd`,
    contents: b.replace(
      /<xs:import namespace="([^"]+)"\/>/g,
      (_m, ns: string) => `<xs:import namespace="${ns}" schemaLocation="${fileOf.get(ns)}"/>`,
    ),
  }));
  return { files, fileOf };
};
