/** The admin endpoint (`/__admin/…`, same server and client certificate): conditions, timings, jobs, reset, request log. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Conditions, type Timing, validateConditions, validateTiming } from './conditions.js';
import { send } from './http.js';

/** What the admin endpoint reads and changes in a running simulator. */
export interface AdminControl {
  conditions: Conditions;
  resetConditions(): void;
  /** Seeded register, no jobs, default conditions and timings, empty request log. */
  reset(): void;
  finishJobs(): void;
  timing(): Timing;
  setTiming(t: Partial<Timing>): void;
  requests(): unknown;
  health(): { learners: number; jobs: number };
}

type Route = (body: string) => unknown;

/** A request body the admin endpoint refuses (400, with the reason). */
class BadInput extends Error {}

/** The JSON body checked by `validate`; a body that is not JSON or breaks a rule is BadInput. */
const input = <T>(body: string, validate: (v: unknown) => T): T => {
  try {
    return validate(JSON.parse(body || '{}'));
  } catch (e) {
    throw new BadInput((e as Error).message);
  }
};

/** The admin routes by `METHOD path`; each returns the JSON to answer with (a refused body answers 400). */
const routes = (c: AdminControl): Readonly<Record<string, Route>> => ({
  'GET /__admin/conditions': () => c.conditions,
  'POST /__admin/conditions': (body) => {
    c.conditions = { ...c.conditions, ...input(body, validateConditions) };
    return c.conditions;
  },
  'POST /__admin/conditions/reset': () => {
    c.resetConditions();
    return c.conditions;
  },
  'POST /__admin/reset': () => {
    c.reset();
    return { reset: true, learners: c.health().learners };
  },
  'POST /__admin/jobs/finish': () => {
    c.finishJobs();
    return { finished: true };
  },
  'POST /__admin/timing': (body) => {
    c.setTiming(input(body, validateTiming));
    return c.timing();
  },
  'GET /__admin/timing': () => c.timing(),
  'GET /__admin/requests': () => c.requests(),
  'GET /__admin/health': () => ({ ok: true, ...c.health() }),
});

export const admin = (
  c: AdminControl,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  body: string,
): void => {
  const json = (status: number, v: unknown) => send(res, status, JSON.stringify(v), 'application/json');
  const route = routes(c)[`${req.method} ${path}`];
  if (!route) {
    json(404, { error: `no admin route ${req.method} ${path}` });
    return;
  }
  let answer: unknown;
  try {
    answer = route(body);
  } catch (e) {
    if (!(e instanceof BadInput)) throw e;
    json(400, { error: e.message });
    return;
  }
  json(200, answer);
};
