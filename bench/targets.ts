/** The targets `npm run bench` reports pass or MISS against (bench/README.md says where each comes from). */
export const TARGETS = {
  warmRatio: 1.1,
  warmAddedMs: 2,
  /** Fresh process to the first completed request, median, every function. */
  coldStartMs: 150,
  /** 1 MiB: every function's production bundle. */
  bundleBytes: 1024 * 1024,
  plrParseMs: 20,
  /** 8x the events may cost at most 20x the time (a quadratic scan would be ~64x). */
  parseScalingRatio: 20,
  queueRatio: 0.95,
  /** Function CPU per learner on the queue path at most this multiple of a bare call's. */
  queueCpuRatio: 1.5,
  /** The gateway's share of the caller's wait against the realistic LRS profile. */
  realisticAddedShare: 0.05,
} as const;
