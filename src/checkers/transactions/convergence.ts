// Convergence: once the network has healed and the clients have stopped,
// every replica must answer the same value for every key. Consistency
// models say nothing about this (a totally available read-committed store
// may lose writes and still be read committed), so it is checked on its own,
// from final read-only transactions sent to every node: keys on which the
// nodes still disagree are writes one side acknowledged and the other never
// applied.

import { describeTxn, idOf, show, showList, type Txn, type TxnHistory, type Value } from "./history.js";

/** One node's final read of every key: its committed read-only transaction, or why there is none. */
export interface FinalRead {
  node: string;
  txn?: Txn;
  /** What happened instead of a committed read (an error, a timeout). */
  failure?: string;
}

export interface Divergence {
  key: Value;
  /** Each node's value for the key. */
  values: { node: string; value: Value }[];
}

export interface ConvergenceResult {
  /** Every node answered, and they agree on every key. */
  converged: boolean;
  /** Nodes that gave no committed final read. */
  silent: { node: string; failure: string }[];
  divergences: Divergence[];
  /** The failure in words: the keys, each node's value, and the transactions that wrote them. */
  explanation: string[];
}

const SHOWN = 3;

/** Compares the nodes' final reads; `nodeOf` names the node a transaction ran on, `seconds` says when. */
export function checkConvergence(history: TxnHistory, finals: readonly FinalRead[], nodeOf: (t: Txn) => string | undefined): ConvergenceResult {
  const silent = finals.filter((f) => !f.txn).map((f) => ({ node: f.node, failure: f.failure ?? "no answer" }));
  const reads = finals.filter((f): f is FinalRead & { txn: Txn } => f.txn !== undefined);
  const byKey = new Map<string | number, Divergence>();
  for (const { node, txn } of reads) {
    for (const m of txn.mops) {
      if (m.f !== "r") continue;
      let d = byKey.get(m.k);
      if (!d) byKey.set(m.k, (d = { key: m.key, values: [] }));
      d.values.push({ node, value: m.value });
    }
  }
  const divergences = [...byKey.values()].filter((d) => new Set(d.values.map((v) => JSON.stringify(v.value))).size > 1);
  const converged = silent.length === 0 && divergences.length === 0;
  return { converged, silent, divergences, explanation: converged ? [] : explain(history, silent, divergences, reads.length, nodeOf) };
}

function explain(history: TxnHistory, silent: ConvergenceResult["silent"], divergences: readonly Divergence[], answered: number, nodeOf: (t: Txn) => string | undefined): string[] {
  const lines: string[] = [];
  for (const s of silent) lines.push(`Final reads: ${s.node} gave no committed read of every key after the network healed (${s.failure}); every node must keep answering.`);
  if (divergences.length === 0) return lines;
  const writers = writersOf(history);
  const where = (t: Txn) => {
    const node = nodeOf(t);
    const when = Number.isFinite(t.ret) ? `acknowledged at ${(t.ret / 1e9).toFixed(2)} s` : t.status === "fail" ? "aborted" : "never acknowledged";
    return `${node ? `on ${node}, ` : ""}${when}`;
  };
  lines.push(
    `Lost writes: after the network healed and the clients stopped, the ${answered} nodes still disagree on ${divergences.length} key${divergences.length === 1 ? "" : "s"}, read again and again until the final phase's time ran out. Writes acknowledged on one side never reached the other.`,
  );
  for (const d of divergences.slice(0, SHOWN)) {
    lines.push(`key ${show(d.key)}: ${d.values.map((v) => `${v.node} reads ${showValue(v.value)}`).join(", ")}.`);
    const seen = new Set<number>();
    for (const v of d.values) {
      if (!Array.isArray(v.value)) {
        // A register: each node ends on one transaction's write; which should win is the nodes' rule, but they must agree.
        const w = writers.get(written(d.key, v.value));
        if (w && !seen.has(w.id)) lines.push(`  ${v.node}'s value was written by ${describeTxn(w)} (${where(w)}).`);
        if (w) seen.add(w.id);
        continue;
      }
      for (const w of appendersMissingElsewhere(d, { node: v.node, value: v.value }, writers)) {
        if (seen.has(w.id)) continue;
        seen.add(w.id);
        const missing = d.values.filter((o) => !reflects(o.value, w, d.key)).map((o) => o.node);
        lines.push(`  ${describeTxn(w)} (${where(w)}): ${missing.join(" and ")} never applied it.`);
      }
    }
  }
  if (divergences.length > SHOWN) lines.push(`…and ${divergences.length - SHOWN} more keys.`);
  return lines;
}

/** A list's elements that some other node's list lacks, as the transactions that appended them. */
function appendersMissingElsewhere(d: Divergence, v: { node: string; value: Value[] }, writers: Map<string, Txn>): Txn[] {
  const others = d.values.filter((o) => o.node !== v.node).map((o) => new Set((Array.isArray(o.value) ? o.value : []).map((e) => JSON.stringify(e))));
  return v.value.filter((e) => others.some((o) => !o.has(JSON.stringify(e)))).flatMap((e) => writers.get(written(d.key, e)) ?? []);
}

/** Whether a node's value shows the transaction's write to the key. */
function reflects(value: Value, w: Txn, key: Value): boolean {
  const k = idOf(key);
  const written = w.mops.filter((m) => m.f !== "r" && m.k === k).map((m) => JSON.stringify(m.value));
  if (Array.isArray(value)) return written.every((e) => value.some((x) => JSON.stringify(x) === e));
  return written.includes(JSON.stringify(value));
}

/** A write's identity: the key and the value written (values are unique per key). */
function written(key: Value, value: Value): string {
  return `${JSON.stringify(idOf(key))}\u0000${JSON.stringify(value)}`;
}

/** A write's identity → the transaction that made it. */
function writersOf(history: TxnHistory): Map<string, Txn> {
  const out = new Map<string, Txn>();
  for (const t of history.txns) for (const m of t.mops) if (m.f !== "r") out.set(written(m.key, m.value), t);
  return out;
}

function showValue(v: Value): string {
  return Array.isArray(v) ? showList(v) : show(v);
}
