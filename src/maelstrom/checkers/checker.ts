import type { Stall } from "../stallMonitor.js";
import type { Operation } from "../history.js";
import type { NetCounts } from "../network.js";

// A checker looks at what a run produced and returns one part of the verdict.
// The engine composes a run's checkers (the workload's, availability, network
// statistics, latency, and any the caller adds, such as a stage's thresholds)
// into one verdict, as Maelstrom's checker/compose does.

/** true: passed; false: failed; "unknown": nothing failed, but the checker could not decide. */
export type Validity = boolean | "unknown";

/** One checker's part of a run's verdict. */
export interface Verdict {
  valid: Validity;
  /** Measured figures for results.json and the report (counts, latencies, msgs-per-op, ...). */
  figures: Record<string, unknown>;
  /** Why the part is not valid (or why it is unknown), most important first, as plain text (no colour). */
  failures: string[];
}

/** Message counts of one class of traffic, and how many messages that is per client operation. */
export type NetFigures = NetCounts & { msgsPerOp: number };

export interface NetStats {
  all: NetFigures;
  /** Messages to or from clients. */
  clients: NetFigures;
  /** Messages between nodes and services. */
  servers: NetFigures;
}

/** What checkers see of a finished run. */
export interface RunFacts {
  /** Every client operation, the final phase's included (marked `final`). */
  history: readonly Operation[];
  nodes: readonly string[];
  /** The simulated network's counts, with msgs-per-op over the main phase's operations. */
  net: NetStats;
  /**
   * How long each acknowledged value took to become visible in every read
   * (sorted, ms), for workloads that measure it (broadcast, g-set); absent otherwise.
   */
  stableLatencies?: readonly number[];
  /** Times the engine itself could not run (starved of CPU), which every wall-clock latency includes. */
  stalls?: readonly Stall[];
}

export interface Checker<V extends Verdict = Verdict> {
  /** The part's name in the verdict: "workload", "availability", "net", ... (unique in a run). */
  readonly name: string;
  check(run: RunFacts): V;
}

/** A composed verdict: the worst part decides; every part is kept whole. */
export interface ComposedVerdict extends Verdict {
  /** Each checker's part, by name, in the order the checkers were given. */
  parts: Record<string, Verdict>;
}

/** false beats "unknown", which beats true. */
export function worst(validities: Iterable<Validity>): Validity {
  let result: Validity = true;
  for (const v of validities) {
    if (v === false) return false;
    if (v === "unknown") result = "unknown";
  }
  return result;
}

/**
 * Runs every checker on the same facts. The verdict is the worst part's; its
 * failures are every part's, in order; its figures are each part's figures
 * under the part's name.
 */
export function compose(checkers: readonly Checker[], name = "compose"): Checker<ComposedVerdict> {
  const names = checkers.map((c) => c.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new Error(`two checkers are named ${JSON.stringify(twice)}; each part of a verdict needs its own name`);
  return {
    name,
    check(run) {
      const parts: Record<string, Verdict> = {};
      for (const c of checkers) parts[c.name] = c.check(run);
      const all = Object.values(parts);
      return {
        valid: worst(all.map((p) => p.valid)),
        figures: Object.fromEntries(Object.entries(parts).map(([n, p]) => [n, p.figures])),
        failures: all.flatMap((p) => p.failures),
        parts,
      };
    },
  };
}
