import type { Operation } from "../history.js";
import type { Body } from "../protocol.js";

export interface WorkloadOptions {
  nodes: readonly string[];
  /** How many clients run operations (c1..cN). */
  clients: number;
  random: () => number;
  /** --topology for broadcast: grid, line, tree2, tree3, tree4, total. */
  topology: string;
  /** --key-count, --max-txn-length, --max-writes-per-key, --consistency-models for the txn workloads. */
  txn?: import("./txn.js").TxnOptions;
}

/** The verdict of a workload's checker, with the facts behind it. */
export interface CheckResult {
  valid: boolean | "unknown";
  /** Human-readable problems, most important first; empty when valid. */
  problems: string[];
  /** Figures for results.json and thresholds (e.g. stable latencies). */
  [fact: string]: unknown;
}

/**
 * A Maelstrom workload: what clients ask of the nodes, and how to check the
 * history they observed.
 */
export interface Workload {
  readonly name: string;
  /** Requests to send each node after init, before the test (e.g. topology); each must be answered `<type>_ok`. */
  setup?(): { node: string; body: Body }[];
  /** The next request of the main phase, for this client. */
  next(client: string): Body;
  /** Sees every completed operation (a client's position in a log, say). */
  observe?(op: Operation): void;
  /** Final requests after the network healed, one round per call; absent when there is no final phase. */
  finalRound?(): { node: string; body: Body }[];
  /** Whether a final round's replies agree (ends the final phase early). */
  settled?(round: readonly Operation[]): boolean;
  /** The workload's history checker: the "workload" part of the run's verdict (the engine composes it with the others). */
  check(history: readonly Operation[]): CheckResult;
  /** How long each acknowledged value took to show in every read (sorted, ms), for workloads that measure it; the latency and threshold checkers read it. */
  stableLatencies?(history: readonly Operation[]): number[];
}
