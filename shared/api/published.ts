/**
 * The published reference as the requests function serves it: the committed openapi.json (bundled into
 * the function), the browsable page rendered from it with Swagger UI, and the catalogue page rendered
 * from the error and outcome tables. In Lambda the Swagger UI files are copied next to the bundle
 * (LAMBDA_TASK_ROOT/reference/); locally they are read from node_modules.
 */
import { join } from 'node:path';
import document from '../../openapi.json' with { type: 'json' };
import { catalogueHtml } from './catalogue.js';
import { REFERENCE_BUNDLE_DIR, referenceHtml, swaggerAssets } from './reference-page.js';

export const publishedDocument: unknown = document;

const bundled = (): string | undefined =>
  process.env.LAMBDA_TASK_ROOT ? join(process.env.LAMBDA_TASK_ROOT, REFERENCE_BUNDLE_DIR) : undefined;

const cache = new Map<string, string>();

/** The page served at /v1/docs (links relative to it) or /v1/docs/errors. */
export const referencePage = (page: 'reference' | 'catalogue'): string => {
  let text = cache.get(page);
  if (text === undefined) {
    const dir = bundled();
    text =
      page === 'reference'
        ? referenceHtml(document, swaggerAssets(dir), { catalogueHref: 'docs/errors' })
        : catalogueHtml({ referenceHref: '../docs' });
    cache.set(page, text);
  }
  return text;
};
