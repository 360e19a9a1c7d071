import { percentile } from "../history.js";
import type { Checker } from "./checker.js";

/** Quantiles of a sorted list of latencies, in whole ms (null when there are none). */
export interface LatencySummary {
  min: number | null;
  median: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export function latencySummary(sorted: ArrayLike<number>): LatencySummary {
  return {
    min: ms(percentile(sorted, 0)),
    median: ms(percentile(sorted, 50)),
    p95: ms(percentile(sorted, 95)),
    p99: ms(percentile(sorted, 99)),
    max: ms(sorted[sorted.length - 1]),
  };
}

/**
 * Latencies, as Maelstrom's latency checker: how long acknowledged client
 * operations took, and the stable latencies where the workload measures them.
 * Figures only, never invalid (limits are threshold checkers).
 */
export function latencyChecker(): Checker {
  return {
    name: "latency",
    check({ history, stableLatencies, stalls }) {
      // A typed array: sorted numerically without a comparator call per pair.
      let n = 0;
      for (let i = 0; i < history.length; i++) if (history[i]!.outcome === "ok" && history[i]!.completedAt !== undefined) n++;
      const took = new Float64Array(n);
      n = 0;
      for (let i = 0; i < history.length; i++) {
        const o = history[i]!;
        if (o.outcome === "ok" && o.completedAt !== undefined) took[n++] = o.completedAt - o.invokedAt;
      }
      took.sort();
      return {
        valid: true,
        figures: {
          "operation-latencies": latencySummary(took),
          ...(stableLatencies ? { "stable-latencies": latencySummary(stableLatencies) } : {}),
          ...(stalls && stalls.length > 0 ? { "engine-stalls": { count: stalls.length, "longest-ms": Math.max(...stalls.map((s) => s.ms)), "total-ms": stalls.reduce((n, s) => n + s.ms, 0) } } : {}),
        },
        failures: [],
      };
    },
  };
}

function ms(x: number | undefined): number | null {
  return x === undefined ? null : Math.round(x);
}
