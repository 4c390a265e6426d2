/** The targets `npm run bench` reports pass or MISS against (bench/README.md says where each comes from). */
export const TARGETS = {
  warmRatio: 1.1,
  warmAddedMs: 2,
  coldStartMs: 300,
  bundleBytes: 1.5 * 1024 * 1024,
  plrParseMs: 20,
  /** 8x the events may cost at most 20x the time (a quadratic scan would be ~64x). */
  parseScalingRatio: 20,
  queueRatio: 0.95,
} as const;
