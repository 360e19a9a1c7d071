#!/usr/bin/env node
// BROKEN ON PURPOSE: the reference transaction node, except that it commits
// each write on its own the moment it runs it (visible on this node at once,
// replicated to the peer at once) and pauses between micro-operations, as if
// each took some work. Other transactions, here and on the peer, can then
// read a value that its transaction overwrote a moment later: an
// intermediate read (G1b). A transaction still sees its own reads and writes
// (it remembers them), so it is internally consistent, read uncommitted,
// totally available and its replicas converge; the read-committed
// transactions stage must catch it and name G1b.
//
//   node dist/broken/txn-intermediate-writes.js

import { MaelstromNode } from "../maelstrom.js";
import { Replica, type Key } from "../txnReplica.js";

type Mop = [string, Key, unknown];

const node = new MaelstromNode();
const replica = new Replica(node);
const pause = () => new Promise((resolve) => setTimeout(resolve, 2));

node.handle("txn", async (msg) => {
  const done: Mop[] = [];
  /** What this transaction has read or written, so it reads its own writes and repeats its reads. */
  const mine = new Map<Key, unknown>();
  for (const [f, k, v] of msg.body.txn as Mop[]) {
    if (f === "r") {
      if (!mine.has(k)) mine.set(k, replica.read(k));
      done.push([f, k, mine.get(k)]);
    } else {
      mine.set(k, v);
      replica.commit(new Map([[k, v]])); // the bug: visible to everyone before the transaction ends
      done.push([f, k, v]);
    }
    await pause();
  }
  node.reply(msg, { type: "txn_ok", txn: done });
});

await node.run();
process.exit(0);
