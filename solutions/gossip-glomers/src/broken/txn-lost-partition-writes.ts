#!/usr/bin/env node
// BROKEN ON PURPOSE: the reference transaction node, except that it sends
// each batch of writes to its peer once and forgets it, acknowledged or not.
// Without a partition every message arrives and the copies agree; during a
// partition the network drops the batches, so the writes acknowledged on one
// side never reach the other, and after the network heals the nodes answer
// different values for the same keys forever: lost writes. Every transaction
// it answers is still read committed; the transaction stages' final reads
// must catch it, name the lost writes and the keys the nodes disagree on.
//
//   node dist/broken/txn-lost-partition-writes.js

import { MaelstromNode } from "../maelstrom.js";
import { txn } from "../txn.js";

const node = new MaelstromNode();
txn(node, { resend: false }); // the bug: a dropped batch is never sent again

await node.run();
process.exit(0);
