// Edges and anomalies in sentences a learner can follow: each edge of a
// witness says which micro-operations make it hold.

import { PROCESS, REALTIME, RW, WR, WW, type Graph } from "./graph.js";
import { describeTxn, show, showList, tname, type Mop, type Txn } from "./history.js";
import type { Workload } from "./result.js";

export { showList };

const showRead = (m: Mop) => (Array.isArray(m.value) ? showList(m.value) : show(m.value));

/** The read of the same key before write `mop` in txn t (rw-register: the version it overwrote). */
function readBefore(t: Txn, mop: number): Mop | undefined {
  const k = t.mops[mop]!.k;
  for (let i = mop - 1; i >= 0; i--) if (t.mops[i]!.k === k && t.mops[i]!.f === "r") return t.mops[i];
  return undefined;
}

function time(t: number): string {
  return Number.isFinite(t) ? String(t) : "never";
}

/** Why edge e holds, in one sentence ending "so T1 → T2 (ww)". */
export function explainEdge(txns: readonly Txn[], g: Graph, e: number, workload: Workload): string {
  const a = txns[g.from[e]!]!;
  const b = txns[g.to[e]!]!;
  const am = a.mops[g.fromMop[e]!];
  const bm = b.mops[g.toMop[e]!];
  const type = g.type[e]!;
  const so = (name: string) => `so ${tname(a)} → ${tname(b)} (${name})`;
  if (type === REALTIME) return `${tname(a)} completed (at ${time(a.ret)}) before ${tname(b)} was invoked (at ${time(b.call)}), ${so("realtime")}`;
  if (type === PROCESS) return `${typeof a.process === "number" ? "client " : ""}${String(a.process)} ran ${tname(a)} and then ${tname(b)}, ${so("process")}`;
  if (!am || !bm) return `${so(["ww", "wr", "rw"][type] ?? "?")}`;
  const key = show(am.key);
  if (workload === "list-append") {
    if (type === WW) return `${tname(a)} appended ${show(am.value)} to ${key} and ${tname(b)}'s append of ${show(bm.value)} comes after it in ${key}'s order, ${so("ww")}`;
    if (type === WR) return `${tname(a)} appended ${show(am.value)} to ${key} and ${tname(b)} read ${key}=${showRead(bm)}, ${so("wr")}`;
    if (type === RW) {
      const list = Array.isArray(am.value) ? am.value : [];
      const after = list.length === 0 ? `, the first element of ${key}` : ` to ${key} after ${show(list[list.length - 1]!)}`;
      return `${tname(a)} read ${key}=${showRead(am)} and ${tname(b)} appended ${show(bm.value)}${after}, ${so("rw")}`;
    }
  } else {
    if (type === WW) return `${tname(b)} read ${key}=${show(am.value)}, which ${tname(a)} wrote, and then wrote ${key}=${show(bm.value)} over it, ${so("ww")}`;
    if (type === WR) return `${tname(a)} wrote ${key}=${show(am.value)} and ${tname(b)} read ${key}=${show(bm.value)}, ${so("wr")}`;
    if (type === RW) {
      const overwritten = readBefore(b, g.toMop[e]!);
      const initial = am.value === null ? " (the initial state)" : "";
      return `${tname(a)} read ${key}=${show(am.value)}${initial} and ${tname(b)}, which also read ${key}=${show(overwritten?.value ?? am.value)}, wrote ${key}=${show(bm.value)} over it, ${so("rw")}`;
    }
  }
  return so("?");
}

/** The transactions, written out, one line each. */
export function writeOut(txns: readonly Txn[], ids: readonly number[]): string[] {
  return [...new Set(ids)].map((id) => `  ${describeTxn(txns[id]!)}`);
}

export const CYCLE_MEANING: Record<string, string> = {
  G0: "a cycle of write-write dependencies (ww) only: the transactions' writes are interleaved, no order of them explains the final versions",
  G1c: "a cycle of write-write (ww) and write-read (wr) dependencies: each transaction saw or overwrote the effect of the next",
  "G-single": "a cycle with exactly one read-write anti-dependency (rw): one transaction missed a write that the others saw (read skew)",
  "G2-item": "a cycle with two or more read-write anti-dependencies (rw): each transaction missed another's write (write skew)",
};

export function cycleMeaning(name: string): string {
  const base = name.replace(/-(realtime|process)$/, "");
  const order = name.endsWith("-realtime") ? ", once real-time order is counted: a transaction cannot depend on one that began after it ended" : name.endsWith("-process") ? ", once each client's order is counted" : "";
  return `${CYCLE_MEANING[base] ?? name}${order}`;
}
