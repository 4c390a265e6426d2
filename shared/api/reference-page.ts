/**
 * The browsable reference page: Swagger UI (swagger-ui-dist) with the OpenAPI document and the UI's own
 * script and styles inlined, so the page works offline and loads nothing from anywhere else. No request
 * leaves the page ("try it out" is off, no validator badge).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface SwaggerAssets {
  readonly script: string;
  readonly styles: string;
}

export const SWAGGER_ASSET_FILES = { script: 'swagger-ui-bundle.js', styles: 'swagger-ui.css' } as const;

/** Where the function's bundle keeps the reference files (LAMBDA_TASK_ROOT/reference/). */
export const REFERENCE_BUNDLE_DIR = 'reference';

/** What the requests function's bundle carries besides the code: path in the bundle → path in the repository. */
export const REFERENCE_BUNDLE_FILES: Readonly<Record<string, string>> = {
  [`${REFERENCE_BUNDLE_DIR}/${SWAGGER_ASSET_FILES.script}`]: `node_modules/swagger-ui-dist/${SWAGGER_ASSET_FILES.script}`,
  [`${REFERENCE_BUNDLE_DIR}/${SWAGGER_ASSET_FILES.styles}`]: `node_modules/swagger-ui-dist/${SWAGGER_ASSET_FILES.styles}`,
};

/** The Swagger UI files: next to the function's bundle in Lambda (`dir`), else from node_modules. */
export const swaggerAssets = (dir?: string): SwaggerAssets => {
  const base = dir ?? dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  return {
    script: readFileSync(join(base, SWAGGER_ASSET_FILES.script), 'utf8'),
    styles: readFileSync(join(base, SWAGGER_ASSET_FILES.styles), 'utf8'),
  };
};

/** Text safe inside an inline <script> or <style> element. */
const inlineSafe = (text: string): string => text.replace(/<\/(script|style)/gi, '<\\/$1');

const esc = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

export const referenceHtml = (
  doc: { readonly info: { readonly version: string } },
  assets: SwaggerAssets,
  options: { catalogueHref: string },
): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lrs-gateway API reference</title>
<style>${inlineSafe(assets.styles)}</style>
<style>body { margin: 0; } .lrs-banner { font-family: system-ui, sans-serif; padding: .6rem 1.2rem; background: #1d3557; color: #fff; } .lrs-banner a { color: #ffd166; }</style>
</head>
<body>
<div class="lrs-banner">lrs-gateway API ${esc(doc.info.version)} · <a href="${esc(options.catalogueHref)}">outcomes and error codes</a></div>
<div id="reference"></div>
<script id="openapi-document" type="application/json">${JSON.stringify(doc).replace(/</g, '\\u003c')}</script>
<script>${inlineSafe(assets.script)}</script>
<script>
window.ui = SwaggerUIBundle({
  spec: JSON.parse(document.getElementById('openapi-document').textContent),
  dom_id: '#reference',
  deepLinking: true,
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
  supportedSubmitMethods: [],
  validatorUrl: null,
});
</script>
</body>
</html>
`;
