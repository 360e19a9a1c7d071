#!/usr/bin/env node
// BROKEN ON PURPOSE: broadcast that gossips each new value once and never
// retries. Without faults every value reaches every node, so it passes the
// single- and multi-node broadcast stages; but a message dropped by a
// partition is gone for good, so after the partition heals some nodes never
// learn some acknowledged values. fault-tolerant-broadcast must catch it.
//
//   node dist/broken/broadcast-no-retry.js

import { MaelstromNode } from "../maelstrom.js";

const node = new MaelstromNode();
const seen = new Set<number>();

node.handle("topology", (msg) => node.reply(msg, { type: "topology_ok" }));
node.handle("read", (msg) => node.reply(msg, { type: "read_ok", messages: [...seen] }));

node.handle("broadcast", (msg) => {
  const value = Number(msg.body.message);
  if (!seen.has(value)) {
    seen.add(value);
    // The bug: one fire-and-forget message per peer. If it is dropped, nobody notices.
    for (const peer of node.peers) node.send(peer, { type: "gossip", message: value });
  }
  node.reply(msg, { type: "broadcast_ok" });
});

node.handle("gossip", (msg) => {
  seen.add(Number(msg.body.message));
});

await node.run();
process.exit(0);
