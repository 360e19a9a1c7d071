// Challenges #6a–#6c, totally-available transactions: a key/value store
// whose only request is `txn`, a list of micro-operations [f, k, v] run in
// order ("r" reads, "w" writes), answered `txn_ok` with the reads filled in.
//
// Design: every node holds a full copy of the store (txnReplica.ts) and runs
// each transaction on it, alone (Node is single-threaded and the handler
// never awaits). The transaction's writes are kept aside while it runs, so
// its reads see its own earlier writes, and are committed together at the
// end: applied to the local copy at once and replicated to every peer as one
// batch. So no transaction ever observes another's intermediate or
// uncommitted writes (read committed: no G1a, G1b). The node answers at
// once, partition or not (total availability); the replica resends each
// batch until the peer acknowledges it, and keeps the last writer's value
// per key, so the copies agree once the network heals.
//
// txn-list-append is another node (txnListAppend.ts): appends need one
// order every node agrees on, more than last-writer-wins.

import type { MaelstromNode } from "./maelstrom.js";
import { Replica, type Key, type ReplicaOptions } from "./txnReplica.js";

type Mop = [string, Key, unknown];

export function txn(node: MaelstromNode, replication: ReplicaOptions = {}): void {
  const replica = new Replica(node, replication);

  node.handle("txn", (msg) => {
    /** This transaction's writes so far: read back by its later reads, committed at its end. */
    const writes = new Map<Key, unknown>();
    const current = (k: Key): unknown => (writes.has(k) ? writes.get(k) : replica.read(k));
    const done: Mop[] = (msg.body.txn as Mop[]).map(([f, k, v]) => {
      if (f === "r") return [f, k, current(k)];
      writes.set(k, v);
      return [f, k, v];
    });
    replica.commit(writes);
    node.reply(msg, { type: "txn_ok", txn: done });
  });
}
