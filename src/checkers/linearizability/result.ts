import type { Operation } from "./history.js";

// What the checker says about a history, per part and in all.

export type Outcome = "ok" | "illegal" | "unknown";

export interface PartResult {
  /** The part's name ("key \"x\""), or "" when the history is checked as one object. */
  label: string;
  /** Ids of the part's operations (into History.operations), in call order. */
  operations: number[];
  outcome: Outcome;
  /** unknown: why no answer (out of time, out of memory, stopped because another part was illegal). */
  reason?: string;
  /** illegal: the longest linearizable prefix the search found, as operation ids in linearization order. */
  prefix?: number[];
  /** illegal: the operations that could not be placed after the prefix (the first is the one whose return forced the dead end). */
  stuck?: number[];
  /** illegal: the states the object could be in after the prefix, in words. */
  states?: string[];
  /** illegal: the explanation, one sentence per line. */
  explanation?: string[];
  /** Search steps and memo entries used, for the curious and the benchmarks. */
  steps: number;
  memo: number;
  elapsedMs: number;
}

export interface CheckResult {
  model: string;
  outcome: Outcome;
  /** Every part checked (an unchecked part after an early stop is "unknown" with its reason). */
  parts: PartResult[];
  elapsedMs: number;
}

export interface CheckOptions {
  /** Time budget for the whole check; beyond it the answer is unknown. Default 60 s. */
  timeoutMs?: number;
  /** Memory budget for the search's memo, in bytes, across all workers. Default 1 GiB, less when the process is already big (it stays under 2 GiB). */
  memoryBytes?: number;
  /** Worker threads to search parts in parallel; 0 searches on this thread. Default: the core count, when the history is big enough to gain. */
  workers?: number;
}

export type { Operation };
