// Maelstrom's txn-list-append workload (not a Gossip Glomers stage, but the
// same `txn` request with "append" micro-operations), checked by default for
// strict serializability. Appends need one order of each key's list that
// every reader agrees on, which last-writer-wins replication cannot give, so
// this node keeps the only copy on the first node (by id) and every other
// node forwards each transaction there. The owner runs each transaction
// whole (the handler never awaits), in the order they arrive: a single
// serial copy, so every history is strict serializable. The price is
// availability: during a partition the forwarded transactions time out.
//
// A forward that gets no answer may have run on the owner all the same, so
// it is answered with the timeout error (code 0, indefinite), never with a
// definite one that would promise it did nothing.

import type { MaelstromNode } from "./maelstrom.js";

type Key = number | string;
type Mop = [string, Key, unknown];

/** How long a forwarded transaction waits for the owner. */
const FORWARD_TIMEOUT_MS = 1000;

export function txnListAppend(node: MaelstromNode): void {
  const lists = new Map<Key, unknown[]>();

  const run = (ops: Mop[]): Mop[] =>
    ops.map(([f, k, v]) => {
      if (f === "r") return [f, k, lists.has(k) ? [...lists.get(k)!] : null];
      // "append" (and "w", which appends too: this store holds lists only).
      const list = lists.get(k) ?? [];
      list.push(v);
      lists.set(k, list);
      return [f, k, v];
    });

  node.handle("txn", async (msg) => {
    const owner = [...node.nodeIds].sort()[0]!;
    if (owner === node.id) return node.reply(msg, { type: "txn_ok", txn: run(msg.body.txn as Mop[]) });
    // A rejection (the owner's timeout, say) becomes this request's error reply, with its code.
    const answer = await node.rpc(owner, { type: "txn", txn: msg.body.txn }, { timeoutMs: FORWARD_TIMEOUT_MS });
    node.reply(msg, { type: "txn_ok", txn: answer.txn });
  });
}
