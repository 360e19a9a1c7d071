// Challenge #2, unique-ids: node ids are unique and each node counts, so
// "<node id>-<counter>" is unique across the cluster without talking to
// anyone: totally available, even during partitions.

import type { MaelstromNode } from "./maelstrom.js";

export function uniqueIds(node: MaelstromNode): void {
  let counter = 0;
  node.handle("generate", (msg) => node.reply(msg, { type: "generate_ok", id: `${node.id}-${counter++}` }));
}
