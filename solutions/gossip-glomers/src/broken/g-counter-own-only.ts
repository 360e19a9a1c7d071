#!/usr/bin/env node
// BROKEN ON PURPOSE: a grow-only counter whose read returns only this
// node's own adds. On one node that is the right answer; on several nodes
// each final read misses the other nodes' adds, so the g-counter stage must
// catch it (final reads differ from the sum of acknowledged adds).
//
//   node dist/broken/g-counter-own-only.js

import { KV, MaelstromNode } from "../maelstrom.js";

const node = new MaelstromNode();
const kv = new KV(node, "seq-kv");
let total = 0;

node.handle("add", async (msg) => {
  total += Number(msg.body.delta);
  await kv.write(node.id, total); // kept in seq-kv like the reference, but never read back
  node.reply(msg, { type: "add_ok" });
});

// The bug: no look at the other nodes' totals.
node.handle("read", (msg) => node.reply(msg, { type: "read_ok", value: total }));

await node.run();
process.exit(0);
