/**
 * Checks an HTTP answer against the committed openapi.json: the status must be documented for the route
 * and method, and a JSON body must validate against the schema documented for that status (JSON Schema
 * 2020-12, as OpenAPI 3.1 uses it), with every $ref resolved inside the document.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

const repoRoot = join(import.meta.dirname, '..', '..');

interface Doc {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
}

export const openApiDocument = (): Doc =>
  JSON.parse(readFileSync(join(repoRoot, 'openapi.json'), 'utf8')) as Doc;

const pointer = (...parts: string[]) =>
  parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

export interface AnswerChecker {
  /** Problems with the answer; empty when it is as documented. */
  check(method: string, resource: string, status: number, body: unknown): string[];
  /** The API Gateway resource path (`/v1/jobs/{jobId}`) a concrete path matches, if any. */
  resourceOf(path: string): string | undefined;
}

export const answerChecker = (): AnswerChecker => {
  const doc = openApiDocument();
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(doc as unknown as object, 'openapi.json');
  const compiled = new Map<string, ValidateFunction>();
  const envelope = ajv.compile({ $ref: 'openapi.json#/components/schemas/ErrorEnvelope' });
  const resources = Object.keys(doc.paths).map((r) => ({
    r,
    re: new RegExp(`^${r.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  return {
    resourceOf: (path) => resources.find((x) => x.re.test(path))?.r,
    check: (method, resource, status, body) => {
      const op = doc.paths[resource]?.[method.toLowerCase()];
      // Wrong methods and unknown routes are answered by the gateway in the envelope.
      if (!op) {
        if (status < 400) return [`${method} ${resource}: ${status} for an undocumented route`];
        return envelope(body) ? [] : [`${method} ${resource} ${status}: ${ajv.errorsText(envelope.errors)}`];
      }
      const response = op.responses[String(status)];
      if (!response) return [`${method} ${resource}: status ${status} is not documented`];
      if (!response.content?.['application/json']) return [];
      const key = `${resource} ${method} ${status}`;
      let found = compiled.get(key);
      if (!found) {
        found = ajv.compile({
          $ref: `openapi.json#/${pointer('paths', resource, method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema')}`,
        });
        compiled.set(key, found);
      }
      const validate = found;
      const problems = validate(body)
        ? []
        : [`${method} ${resource} ${status}: ${ajv.errorsText(validate.errors)}`];
      if (status >= 400 && !envelope(body))
        problems.push(`${method} ${resource} ${status}: not the error envelope`);
      return problems;
    },
  };
};
