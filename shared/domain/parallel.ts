/** Runs `work` over `inputs` with at most `limit` in flight; results in input order. */
export const inParallel = async <T, R>(
  inputs: readonly T[],
  limit: number,
  work: (input: T, index: number) => Promise<R>,
): Promise<R[]> => {
  const out: R[] = new Array(inputs.length);
  let next = 0;
  const runners = Array.from({ length: Math.max(1, Math.min(limit, inputs.length)) }, async () => {
    while (next < inputs.length) {
      const i = next++;
      out[i] = await work(inputs[i] as T, i);
    }
  });
  await Promise.all(runners);
  return out;
};
