#!/usr/bin/env node
// BROKEN ON PURPOSE: broadcast by flooding. On a new value a node at once
// sends it to every other node, and every node that receives a value it has
// not seen floods it again. Correct without faults (and fast: one hop), but
// on 25 nodes one broadcast costs 25 × 24 = 600 messages, so msgs-per-op is
// in the hundreds, far above the budget: efficient-broadcast-1 must catch it.
//
//   node dist/broken/broadcast-flood.js

import { MaelstromNode } from "../maelstrom.js";

const node = new MaelstromNode();
const seen = new Set<number>();

function learn(value: number): void {
  if (seen.has(value)) return;
  seen.add(value);
  // The bug: everyone tells everyone, one message per value per pair of nodes.
  for (const peer of node.peers) node.send(peer, { type: "gossip", message: value });
}

node.handle("topology", (msg) => node.reply(msg, { type: "topology_ok" }));
node.handle("read", (msg) => node.reply(msg, { type: "read_ok", messages: [...seen] }));
node.handle("broadcast", (msg) => {
  learn(Number(msg.body.message));
  node.reply(msg, { type: "broadcast_ok" });
});
node.handle("gossip", (msg) => learn(Number(msg.body.message)));

await node.run();
process.exit(0);
