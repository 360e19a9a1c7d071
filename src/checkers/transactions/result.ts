// What the transaction checker says about a history.

import type { EdgeName } from "./graph.js";
import type { ModelName } from "./models.js";

export type Workload = "list-append" | "rw-register";

export type AnomalyName =
  | "internal"
  | "duplicate-elements"
  | "incompatible-order"
  | "G1a"
  | "G1b"
  | "lost-update"
  | "G0"
  | "G1c"
  | "G-single"
  | "G2-item"
  | "G0-process"
  | "G1c-process"
  | "G-single-process"
  | "G2-item-process"
  | "G0-realtime"
  | "G1c-realtime"
  | "G-single-realtime"
  | "G2-item-realtime";

/** One edge of a witness cycle, with the reason it holds. */
export interface CycleStep {
  from: number;
  to: number;
  type: EdgeName;
  why: string;
}

export interface Anomaly {
  name: AnomalyName;
  /** The transactions involved (ids; T<id> in messages). */
  txns: number[];
  /** For cycles: the witness, each edge with its reason, ending where it started. */
  cycle?: CycleStep[];
  /** The anomaly in sentences: what it is, the transactions written out, and why. */
  explanation: string[];
}

export interface TxnCheckResult {
  workload: Workload;
  /** ok: no requested model is ruled out; illegal: one is; unknown: the search ran out of budget before it could say. */
  outcome: "ok" | "illegal" | "unknown";
  /** The models asked about. */
  models: ModelName[];
  /** Examples of each anomaly found (a few of each name; cycles: one witness per strongly connected component and class). */
  anomalies: Anomaly[];
  /** How many of each anomaly were found in all. */
  counts: Partial<Record<AnomalyName, number>>;
  /** Every model the anomalies rule out, weakest first. */
  ruledOut: ModelName[];
  /** The strongest models the history is still consistent with (several when they are incomparable). */
  strongest: ModelName[];
  /** In a sentence: "consistent with read-committed but not repeatable-read or snapshot-isolation". */
  summary: string;
  /** Set when the cycle search stopped at its budget: an anomaly may have been missed. */
  incomplete?: string;
  stats: { txns: number; committed: number; aborted: number; indeterminate: number; edges: number; components: number };
  elapsedMs: number;
}
