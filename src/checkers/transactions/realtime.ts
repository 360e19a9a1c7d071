// Order edges for the strict models. realtime: a transaction that completed
// before another was invoked precedes it. Drawing every such pair would be
// quadratic; a sweep in time order draws only a transitive reduction of it:
// a frontier holds the completed transactions no later completed transaction
// is known to follow; an invocation remembers the frontier, and its
// completion links that frontier to it and replaces it in the frontier.
// process: each client's committed transactions, one after the other.

import { PROCESS, REALTIME, type GraphBuilder } from "./graph.js";
import type { Txn } from "./history.js";

export function addRealtimeEdges(txns: readonly Txn[], g: GraphBuilder): void {
  // Events: 2*id = invocation, 2*id+1 = completion; at equal times invocations come first (not ordered).
  const events: number[] = [];
  for (const t of txns) {
    if (t.status === "fail") continue;
    events.push(2 * t.id);
    if (t.status === "ok") events.push(2 * t.id + 1);
  }
  const at = (e: number) => (e & 1 ? txns[e >> 1]!.ret : txns[e >> 1]!.call);
  events.sort((a, b) => at(a) - at(b) || (a & 1) - (b & 1) || a - b);
  const frontier = new Set<number>();
  const before = new Map<number, number[]>();
  for (const e of events) {
    const id = e >> 1;
    if ((e & 1) === 0) {
      before.set(id, [...frontier]);
      continue;
    }
    const preds = before.get(id) ?? [];
    before.delete(id);
    for (const p of preds) {
      g.add(p, id, REALTIME);
      frontier.delete(p);
    }
    frontier.add(id);
  }
}

export function addProcessEdges(txns: readonly Txn[], g: GraphBuilder): void {
  const last = new Map<number | string, number>();
  for (const t of txns) {
    if (t.status !== "ok") continue;
    const p = last.get(t.process);
    if (p !== undefined) g.add(p, t.id, PROCESS);
    last.set(t.process, t.id);
  }
}
