/**
 * Maelstrom's `--concurrency`: a number of clients (10), or a multiple of the
 * node count (2n). Undefined when the value is neither.
 */
export function parseConcurrency(value: string, nodeCount: number): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(n?)$/.exec(value.trim());
  if (!m) return undefined;
  return Math.max(1, Math.round(Number(m[1]) * (m[2] ? nodeCount : 1)));
}
