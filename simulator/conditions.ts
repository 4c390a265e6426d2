/** The operating conditions and timings that can be switched while the simulator runs, and their checks. */

export interface Conditions {
  /** Every request gets WSEC0004 (out of hours). */
  outOfHours: boolean;
  /** Every request gets the recorded `UnsupportedHttpVerb GET` fault (HTTP 500), as during LRS maintenance. */
  maintenance: boolean;
  /** Added before every answer, in ms. */
  latencyMs: number;
  /** Share of requests (0..1) answered with HTTP 500 without a SOAP body or 503 (alternately). */
  failureRate: number;
  /** Share of requests (0..1) whose connection is reset abruptly. */
  resetRate: number;
  /** When a reset happens: before the request is processed (default) or after (state changed, answer lost). */
  resetPhase: 'before' | 'after';
}

export const DEFAULT_CONDITIONS: Readonly<Conditions> = {
  outOfHours: false,
  maintenance: false,
  latencyMs: 0,
  failureRate: 0,
  resetRate: 0,
  resetPhase: 'before',
};

/** Timings that can be changed while running. */
export interface Timing {
  batchDurationMs: number;
  registerSearchWindowMs: number;
  registerPossibleMinDelayMs: number;
}

export const validateConditions = (c: unknown): Partial<Conditions> => {
  if (typeof c !== 'object' || c === null || Array.isArray(c))
    throw new Error('conditions must be a JSON object');
  const out: Partial<Conditions> = {};
  for (const [k, v] of Object.entries(c)) {
    switch (k) {
      case 'outOfHours':
      case 'maintenance':
        if (typeof v !== 'boolean') throw new Error(`${k} must be a boolean`);
        out[k] = v;
        break;
      case 'latencyMs':
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 120_000)
          throw new Error('latencyMs must be a number from 0 to 120000');
        out.latencyMs = v;
        break;
      case 'failureRate':
      case 'resetRate':
        if (typeof v !== 'number' || !(v >= 0 && v <= 1))
          throw new Error(`${k} must be a number from 0 to 1`);
        out[k] = v;
        break;
      case 'resetPhase':
        if (v !== 'before' && v !== 'after') throw new Error("resetPhase must be 'before' or 'after'");
        out.resetPhase = v;
        break;
      default:
        throw new Error(`unknown condition '${k}'`);
    }
  }
  return out;
};

export const validateTiming = (t: unknown): Partial<Timing> => {
  if (typeof t !== 'object' || t === null || Array.isArray(t))
    throw new Error('timing must be a JSON object');
  const out: Partial<Timing> = {};
  for (const [k, v] of Object.entries(t)) {
    if (k !== 'batchDurationMs' && k !== 'registerSearchWindowMs' && k !== 'registerPossibleMinDelayMs') {
      throw new Error(`unknown timing '${k}'`);
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      throw new Error(`${k} must be a non-negative integer`);
    out[k] = v;
  }
  return out;
};
