import { formatDuration } from "../util/duration.js";

export interface LatencySample {
  node: string;
  ms: number;
  passed: boolean;
}

export interface LatencyStats {
  count: number;
  errorPct: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function computeStats(samples: readonly LatencySample[]): LatencyStats {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const n = sorted.length;
  const at = (q: number) => sorted[Math.min(n - 1, Math.floor((n * q) / 100))] ?? 0;
  const errors = samples.filter((s) => !s.passed).length;
  return {
    count: n,
    errorPct: n === 0 ? 0 : (errors / n) * 100,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: sorted[n - 1] ?? 0,
  };
}

/** The `[CONCURRENTLY: …]` annotation written to a node's log. */
export function describeStats(s: LatencyStats): string {
  return (
    `CONCURRENTLY: ${s.count} req, ${s.errorPct.toFixed(2)}% err · ` +
    `p50=${formatDuration(s.p50)} p95=${formatDuration(s.p95)} p99=${formatDuration(s.p99)} max=${formatDuration(s.max)}`
  );
}

export function groupByNode(samples: readonly LatencySample[]): Map<string, LatencySample[]> {
  const byNode = new Map<string, LatencySample[]>();
  for (const s of samples) {
    const list = byNode.get(s.node) ?? [];
    list.push(s);
    byNode.set(s.node, list);
  }
  return new Map([...byNode].sort(([a], [b]) => a.localeCompare(b)));
}
