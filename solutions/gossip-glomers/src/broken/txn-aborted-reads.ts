#!/usr/bin/env node
// BROKEN ON PURPOSE: the reference transaction node, except that it refuses
// every fifth transaction that writes with error 30 (txn-conflict, which
// promises the transaction did nothing) after it has already committed its
// writes, and never rolls them back. Later transactions read those values:
// reads of an aborted transaction's writes (G1a). The read-committed
// transactions stage must catch it and name G1a.
//
//   node dist/broken/txn-aborted-reads.js

import { ErrorCode, MaelstromNode, RPCError } from "../maelstrom.js";
import { Replica, type Key } from "../txnReplica.js";

type Mop = [string, Key, unknown];

const node = new MaelstromNode();
const replica = new Replica(node);
let writers = 0;

node.handle("txn", (msg) => {
  const writes = new Map<Key, unknown>();
  const done: Mop[] = (msg.body.txn as Mop[]).map(([f, k, v]) => {
    if (f === "r") return [f, k, writes.has(k) ? writes.get(k) : replica.read(k)];
    writes.set(k, v);
    return [f, k, v];
  });
  replica.commit(writes);
  if (writes.size > 0 && ++writers % 5 === 0) {
    throw new RPCError(ErrorCode.TxnConflict, "conflict"); // the bug: its writes stay
  }
  node.reply(msg, { type: "txn_ok", txn: done });
});

await node.run();
process.exit(0);
