#!/usr/bin/env node
// BROKEN ON PURPOSE: the reference transaction node, except that it refuses
// every fifth transaction that writes with error 30 (txn-conflict, which
// promises the transaction did nothing) after it has already applied its
// writes, and never rolls them back. Later transactions read those values:
// reads of an aborted transaction's writes (G1a). The read-committed
// transactions stage must catch it and name G1a.
//
//   node dist/broken/txn-aborted-reads.js

import { ErrorCode, MaelstromNode, RPCError } from "../maelstrom.js";

type Key = number | string;
type Mop = [string, Key, unknown];

const node = new MaelstromNode();
const store = new Map<Key, unknown>();
let writers = 0;

node.handle("txn", (msg) => {
  const done: Mop[] = (msg.body.txn as Mop[]).map(([f, k, v]) => {
    if (f === "r") return [f, k, store.get(k) ?? null];
    store.set(k, v);
    for (const peer of node.peers) node.send(peer, { type: "replicate", key: k, value: v });
    return [f, k, v];
  });
  if (done.some(([f]) => f !== "r") && ++writers % 5 === 0) {
    throw new RPCError(ErrorCode.TxnConflict, "conflict"); // the bug: its writes stay
  }
  node.reply(msg, { type: "txn_ok", txn: done });
});

node.handle("replicate", (msg) => {
  store.set(msg.body.key as Key, msg.body.value);
});

await node.run();
process.exit(0);
