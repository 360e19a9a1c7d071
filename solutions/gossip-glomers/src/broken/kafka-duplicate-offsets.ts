#!/usr/bin/env node
// BROKEN ON PURPOSE: the reference kafka node, except that each node hands
// out offsets from its own local counter instead of a cas loop in lin-kv. On
// one node that is fine; on two, both nodes give out offset 0, 1, 2, ... for
// the same key, so two sends get the same offset and one message overwrites
// the other in lin-kv. The multi-node kafka stage must catch it (duplicate
// offsets, lost writes).
//
//   node dist/broken/kafka-duplicate-offsets.js

import { MaelstromNode } from "../maelstrom.js";
import { kafka, type OffsetAllocator } from "../kafka.js";

/** The bug: a counter nobody else sees. */
class LocalOffsets implements OffsetAllocator {
  private readonly next = new Map<string, number>();

  async allocate(key: string, count: number): Promise<number> {
    const first = this.next.get(key) ?? 0;
    this.next.set(key, first + count);
    return first;
  }

  async end(key: string): Promise<number> {
    return this.next.get(key) ?? 0;
  }
}

const node = new MaelstromNode();
kafka(node, new LocalOffsets());
await node.run();
process.exit(0);
