#!/usr/bin/env node
// Entry point: runs one workload's node, named by $CLSTR_WORKLOAD or the
// first argument (which wins over the variable), e.g. `node dist/main.js broadcast`.

import { MaelstromNode } from "./maelstrom.js";
import { echo } from "./echo.js";
import { uniqueIds } from "./uniqueIds.js";
import { broadcast } from "./broadcast.js";
import { gCounter } from "./gCounter.js";
import { kafka } from "./kafka.js";
import { txn } from "./txn.js";
import { txnListAppend } from "./txnListAppend.js";

const workloads: Record<string, (node: MaelstromNode) => void> = {
  echo,
  "unique-ids": uniqueIds,
  broadcast,
  "g-counter": gCounter,
  kafka,
  "txn-rw-register": txn,
  "txn-list-append": txnListAppend,
};

const name = process.argv[2] ?? process.env.CLSTR_WORKLOAD;
const setup = name === undefined ? undefined : workloads[name];
if (!setup) {
  process.stderr.write(`usage: node dist/main.js <workload>  (or CLSTR_WORKLOAD=<workload>), one of: ${Object.keys(workloads).join(", ")}\n`);
  process.exit(2);
}

const node = new MaelstromNode();
setup(node);
await node.run();
process.exit(0);
