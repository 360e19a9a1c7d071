import { latencySummary } from "./latency.js";
import type { Checker, RunFacts, Verdict } from "./checker.js";
import { describeStalls, type Stall } from "../stallMonitor.js";

// A stage's limits (gossip-glomers' efficient-broadcast: messages per
// operation, median and maximum stable latency) as checkers of the run, to
// pass to the engine with its other checkers.

export interface Thresholds {
  /** Server messages (between nodes and services) per client operation must be below this. */
  msgsPerOp?: number;
  /** The median stable latency must be below this many ms. */
  medianLatencyMs?: number;
  /** The maximum stable latency must be below this many ms. */
  maxLatencyMs?: number;
}

/** A threshold checker also carries what a learner reads: a title for the check and a hint for when it fails. */
export interface ThresholdChecker extends Checker {
  /** "Messages per Operation Below 30". */
  readonly title: string;
  /** What to change when the run is over the limit. */
  readonly hint: string;
}

/** One checker per threshold given, in the order msgs-per-op, median latency, maximum latency. */
export function thresholdCheckers(t: Thresholds): ThresholdChecker[] {
  return [
    ...(t.msgsPerOp !== undefined ? [msgsPerOpBelow(t.msgsPerOp)] : []),
    ...(t.medianLatencyMs !== undefined ? [medianLatencyBelow(t.medianLatencyMs)] : []),
    ...(t.maxLatencyMs !== undefined ? [maxLatencyBelow(t.maxLatencyMs)] : []),
  ];
}

export function msgsPerOpBelow(limit: number): ThresholdChecker {
  return {
    name: "msgs-per-op-threshold",
    title: `Messages per Operation Below ${limit}`,
    hint: "Batch values and gossip them on a timer instead of forwarding each one; choose a topology with few hops instead of the grid you were given.",
    check({ net, history }) {
      const value = net.servers.msgsPerOp;
      const ops = history.filter((o) => !o.final).length;
      return below(value, limit, `${value.toFixed(2)} server messages per operation (${net.servers.msgCount} messages between nodes for ${ops} client operations)`);
    },
  };
}

export function medianLatencyBelow(limitMs: number): ThresholdChecker {
  return {
    name: "median-latency-threshold",
    title: `Median Latency Below ${limitMs} ms`,
    hint: "Fewer hops and shorter batching intervals bring values to every node sooner.",
    check(run) {
      const median = stable(run).median;
      return below(median, limitMs, `median stable latency ${measuredMs(median)} (from a broadcast until every read everywhere includes it)`, run.stalls);
    },
  };
}

export function maxLatencyBelow(limitMs: number): ThresholdChecker {
  return {
    name: "max-latency-threshold",
    title: `Maximum Latency Below ${limitMs} ms`,
    hint: "With 100 ms per hop, the slowest value must reach the farthest node in a handful of hops, batching waits included.",
    check(run) {
      const max = stable(run).max;
      return below(max, limitMs, `maximum stable latency ${measuredMs(max)}`, run.stalls);
    },
  };
}

function stable(run: RunFacts) {
  return latencySummary(run.stableLatencies ?? []);
}

function measuredMs(v: number | null): string {
  return v === null ? "unknown: no acknowledged value was measured reaching every read" : `${v} ms`;
}

/**
 * Passes when the value is strictly below the limit; a value nobody measured
 * fails. A latency's failure says when the engine itself was held up: those
 * waits are in every latency measured, and are the machine's, not the nodes'.
 */
function below(value: number | null, limit: number, measured: string, stalls?: readonly Stall[]): Verdict {
  const ok = value !== null && value < limit;
  if (ok) return { valid: true, figures: { value, limit }, failures: [] };
  const held = stalls ? describeStalls(stalls) : undefined;
  const note = held
    ? `\nThe engine itself was ${held}: this machine was short of CPU, and every latency measured includes those waits. Close other programs and run the stage again; if it fails the same way on an idle machine, the time is your nodes'.`
    : "";
  return { valid: false, figures: { value, limit }, failures: [`Measured: ${measured}.\nExpected: below ${limit}.${note}`] };
}
