#!/usr/bin/env node
// BROKEN ON PURPOSE: a transaction node that applies each write to the shared
// store the moment it runs it and pauses between micro-operations (as if
// each took some work), and sends each write to the peer on its own. Other
// transactions, on this node and on the peer, can then read a value that
// its transaction overwrote a moment later: an intermediate read (G1b). A
// transaction still sees its own reads and writes (it remembers them), so it
// is internally consistent, read uncommitted and totally available; the
// read-committed transactions stage must catch it and name G1b.
//
//   node dist/broken/txn-intermediate-writes.js

import { MaelstromNode, type Message } from "../maelstrom.js";

type Key = number | string;
type Mop = [string, Key, unknown];

const node = new MaelstromNode();
const store = new Map<Key, unknown>();
const pause = () => new Promise((resolve) => setTimeout(resolve, 2));

node.handle("txn", async (msg) => {
  const done: Mop[] = [];
  /** What this transaction has read or written, so it reads its own writes and repeats its reads. */
  const mine = new Map<Key, unknown>();
  for (const [f, k, v] of msg.body.txn as Mop[]) {
    if (f === "r") {
      if (!mine.has(k)) mine.set(k, store.get(k) ?? null);
      done.push([f, k, mine.get(k)]);
    } else {
      mine.set(k, v);
      store.set(k, v); // the bug: visible to everyone before the transaction ends
      for (const peer of node.peers) node.send(peer, { type: "replicate", key: k, value: v });
      done.push([f, k, v]);
    }
    await pause();
  }
  node.reply(msg, { type: "txn_ok", txn: done });
});

node.handle("replicate", (msg: Message) => {
  store.set(msg.body.key as Key, msg.body.value);
});

await node.run();
process.exit(0);
