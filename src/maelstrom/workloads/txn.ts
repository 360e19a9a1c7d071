import { checkTransactions } from "../../checkers/transactions/check.js";
import { checkConvergence, type ConvergenceResult } from "../../checkers/transactions/convergence.js";
import { idOf, type Mop, type MopF, type Txn, type TxnHistory, type Value } from "../../checkers/transactions/history.js";
import { FORBIDS, isModel, type ModelName } from "../../checkers/transactions/models.js";
import type { Workload as TxnKind } from "../../checkers/transactions/result.js";
import type { Operation } from "../history.js";
import type { Body } from "../protocol.js";
import type { CheckResult, Workload, WorkloadOptions } from "./workload.js";

// Maelstrom's transactional workloads, txn-rw-register and txn-list-append:
// clients send {"type": "txn", "txn": [["r", k, null], ["w", k, v], ...]}
// ("append" instead of "w" for list-append) and expect {"type": "txn_ok",
// "txn": [...]} with the reads filled in. Error 30 (txn-conflict) is a
// definite abort; the engine classifies every error code (protocol.ts).
//
// With two nodes or more, a final phase follows the run (beyond Maelstrom,
// whose txn workloads stop at the time limit): once the network has healed,
// every node is asked, round after round, for one read-only transaction of
// every key the run used, until all nodes answer the same values or the
// final phase's time runs out. Nodes that never agree have lost writes: a
// consistency model allows that, a replicated store's users do not.

/** Maelstrom's flags for the transactional workloads. */
export interface TxnOptions {
  /** --key-count: keys in use at any time (Elle's default, 3). */
  keyCount?: number;
  /** --max-txn-length: micro-operations per transaction at most (Elle's default, 2). */
  maxTxnLength?: number;
  /** --max-writes-per-key: writes to a key before clients move on to a fresh one (Elle's default, 32). */
  maxWritesPerKey?: number;
  /** --consistency-models (Maelstrom's default, strict-serializable). */
  consistencyModels?: readonly ModelName[];
}

export const TXN_DEFAULTS = { keyCount: 3, maxTxnLength: 2, maxWritesPerKey: 32, consistencyModels: ["strict-serializable"] as readonly ModelName[] };

/** `read-committed,serializable` → the models, or the first name that is not one. */
export function parseModels(value: string): { models: ModelName[] } | { unknown: string } {
  const names = value.split(",").map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!isModel(n)) return { unknown: n };
  return { models: names as ModelName[] };
}

/**
 * Transactions of 1..max-txn-length micro-operations over key-count active
 * keys; each written value is unique per key (1, 2, 3, ... per key), and a key
 * that has had max-writes-per-key writes is retired for a fresh one, as Elle's
 * generators do.
 */
export function txnWorkload(opts: WorkloadOptions, name: "txn-rw-register" | "txn-list-append"): Workload {
  const o = { ...TXN_DEFAULTS, ...definedOnly(opts.txn ?? {}) };
  const write: MopF = name === "txn-list-append" ? "append" : "w";
  const active: number[] = Array.from({ length: o.keyCount }, (_, i) => i);
  let nextKey = o.keyCount;
  const written = new Map<number, number>();
  /** Every key handed out so far (0 .. nextKey - 1), for the final reads. */
  const keysInUse = () => Array.from({ length: nextKey }, (_, k) => k);
  const pick = (n: number) => Math.min(n - 1, Math.floor(opts.random() * n));
  return {
    name,
    next(): Body {
      const length = 1 + pick(o.maxTxnLength);
      const txn: [string, number, number | null][] = [];
      for (let i = 0; i < length; i++) {
        const slot = pick(active.length);
        const key = active[slot]!;
        if (opts.random() < 0.5) {
          txn.push(["r", key, null]);
          continue;
        }
        const v = (written.get(key) ?? 0) + 1;
        written.set(key, v);
        txn.push([write, key, v]);
        if (v >= o.maxWritesPerKey) {
          written.delete(key);
          active[slot] = nextKey++;
        }
      }
      return { type: "txn", txn };
    },
    ...(opts.nodes.length > 1
      ? {
          finalRound: () => opts.nodes.map((node) => ({ node, body: { type: "txn", txn: keysInUse().map((k) => ["r", k, null]) } })),
          settled: (round: readonly Operation[]) => round.every((op) => op.outcome === "ok" && JSON.stringify(op.reply?.txn) === JSON.stringify(round[0]?.reply?.txn)),
        }
      : {}),
    check: (history) => checkTxnHistory(history, name === "txn-list-append" ? "list-append" : "rw-register", o.consistencyModels),
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A txn_ok's micro-operations, or why they are not a completion of the request's. */
function completion(request: readonly Mop[], reply: Body | undefined): Mop[] | string {
  const txn = reply?.txn;
  if (!Array.isArray(txn)) return `txn_ok must carry "txn", the request's micro-operations with the reads filled in; found ${JSON.stringify(reply)}`;
  if (txn.length !== request.length) return `txn_ok has ${txn.length} micro-operations but the request had ${request.length}: ${JSON.stringify(txn)}`;
  const out: Mop[] = [];
  for (let i = 0; i < txn.length; i++) {
    const m = txn[i] as unknown;
    const asked = request[i]!;
    if (!Array.isArray(m) || m.length !== 3 || m[0] !== (asked.f === "w" ? "w" : asked.f) || JSON.stringify(m[1]) !== JSON.stringify(asked.key)) {
      return `txn_ok's micro-operation ${i + 1} is ${JSON.stringify(m)}, but the request's was ${JSON.stringify([asked.f, asked.key, asked.value])}; return each in order, the same function and key`;
    }
    out.push({ f: asked.f, key: asked.key, k: asked.k, value: (asked.f === "r" ? m[2] : asked.value) as Value });
  }
  return out;
}

function requestMops(body: Body): Mop[] {
  const txn = Array.isArray(body.txn) ? (body.txn as [string, Value, Value][]) : [];
  return txn.map(([f, key, value]) => ({ f: (f === "w" || f === "append" ? f : "r") as MopF, key, k: idOf(key), value }));
}

/**
 * The engine's history as the transaction checker's: one transaction per
 * `txn` operation, in invocation order; ok with the reply's reads, fail
 * (a definite error such as 30 txn-conflict: certainly not applied) and info
 * (timeouts and indefinite errors: maybe applied) with the request's
 * micro-operations. Times are the engine's ms, as nanoseconds.
 */
export function txnHistory(history: readonly Operation[]): { history: TxnHistory; malformed: string[]; ops: Operation[] } {
  const ops = history.filter((op) => op.f === "txn").sort((a, b) => a.invokedAt - b.invokedAt);
  const malformed: string[] = [];
  const txns: Txn[] = ops.map((op, id) => {
    const asked = requestMops(op.request);
    const txn: Txn = { id, process: op.client, status: op.outcome ?? "info", mops: asked, call: Math.round(op.invokedAt * 1e6), ret: Infinity };
    if (txn.status === "info") return txn;
    txn.ret = Math.round((op.completedAt ?? op.invokedAt) * 1e6);
    if (txn.status === "ok") {
      const done = completion(asked, op.reply);
      if (typeof done === "string") {
        malformed.push(`${op.node} answered ${op.client}'s txn ${JSON.stringify(op.request.txn)}: ${done}`);
        txn.status = "info";
        txn.ret = Infinity;
      } else txn.mops = done;
    }
    return txn;
  });
  return { history: { txns }, malformed, ops };
}

/** Runs the transaction checker on the engine's history for the requested models; anomalies those models forbid are the problems. */
export function checkTxnHistory(history: readonly Operation[], kind: TxnKind, models: readonly ModelName[]): CheckResult {
  const { history: txnHist, malformed, ops } = txnHistory(history);
  const result = checkTransactions(txnHist, { workload: kind, models });
  const convergence = finalReads(txnHist, ops);
  const forbidden = new Set(models.flatMap((m) => [...FORBIDS[m]]));
  const problems: string[] = malformed.slice(0, 3);
  const relevant = result.anomalies.filter((a) => forbidden.has(a.name));
  for (const a of relevant.slice(0, 5)) problems.push(a.explanation.join("\n    "));
  if (relevant.length > 5) problems.push(`…and ${relevant.length - 5} more anomalies (see results.json)`);
  if (result.outcome === "illegal") {
    const out = models.filter((m) => result.ruledOut.includes(m));
    problems.unshift(`The history is not ${out.join(" or ")}: ${Object.entries(result.counts).filter(([n]) => forbidden.has(n as never)).map(([n, c]) => `${n} ×${c}`).join(", ")}. It is ${result.summary}.`);
  }
  if (result.outcome === "unknown" && result.incomplete) problems.push(result.incomplete);
  if (convergence && !convergence.converged) problems.push(convergence.explanation.join("\n    "));
  const diverged = convergence !== undefined && !convergence.converged;
  const valid = malformed.length > 0 || result.outcome === "illegal" || diverged ? false : result.outcome === "unknown" ? "unknown" : true;
  return {
    valid,
    problems,
    "consistency-models": [...models],
    "anomaly-types": Object.keys(result.counts),
    "anomaly-counts": result.counts,
    "not": result.ruledOut,
    strongest: result.strongest,
    summary: result.summary,
    // Only the anomalies the requested models forbid: the others are allowed, and their witnesses would drown the verdict.
    anomalies: relevant.slice(0, 20).map((a) => ({ name: a.name, txns: a.txns, explanation: a.explanation })),
    ...(convergence
      ? { "final-reads": { converged: convergence.converged, "keys-disagreeing": convergence.divergences.length, "nodes-silent": convergence.silent.map((s) => s.node) } }
      : {}),
    stats: result.stats,
    "checker-ms": result.elapsedMs,
  };
}

/** The final phase's reads (the last round, marked final), compared across nodes; undefined when the run had none. */
function finalReads(txns: TxnHistory, ops: readonly Operation[]): ConvergenceResult | undefined {
  const finals = ops.flatMap((op, id) => (op.final ? [{ op, txn: txns.txns[id]! }] : []));
  if (finals.length === 0) return undefined;
  const reads = finals.map(({ op, txn }) =>
    txn.status === "ok"
      ? { node: op.node, txn }
      : { node: op.node, failure: op.reply ? `it answered ${JSON.stringify(op.reply)}` : "no reply within the timeout" },
  );
  return checkConvergence(txns, reads, (t) => ops[t.id]?.node);
}
