// A node's full copy of the transaction store, replicated to every peer in
// the background: the part of challenges #6a–#6c that is not the
// transaction itself, shared by the reference node (txn.ts) and the broken
// variants that each get one other thing wrong.
//
// `commit` applies a transaction's writes to the local copy under one stamp
// (a Lamport clock and the node's id) and queues them, as one batch, for
// every peer. Batches stay queued per peer until acknowledged and go out
// again every RETRY_AFTER_MS, so writes made during a partition reach the
// peer once it heals; a peer applies each batch once (by id).
//
// Replicas converge: a key keeps the write with the highest stamp whatever
// order batches arrive in (last writer wins). A node's clock moves past
// every stamp it applies, so a write made after seeing another beats it, and
// every key's version order follows the one stamp order, so no cycle of
// writes and reads (G0, G1c) can form between replicated transactions.

import type { Body, MaelstromNode, Message } from "./maelstrom.js";

export type Key = number | string;

/** How often queued batches go out to the peers. */
const FLUSH_INTERVAL_MS = 20;
/** A batch not acknowledged is sent again after this long. */
const RETRY_AFTER_MS = 500;
/** At most this many batches in one message. */
const BATCHES_PER_MESSAGE = 500;

/** A write's place in the order every replica agrees on: Lamport clock, then node id. */
type Stamp = [number, string];

interface Batch {
  id: string;
  stamp: Stamp;
  writes: [Key, unknown][];
}

function newer(a: Stamp, b: Stamp): boolean {
  return a[0] !== b[0] ? a[0] > b[0] : a[1] > b[1];
}

export interface ReplicaOptions {
  /**
   * Send each batch again until the peer acknowledges it (the default). A
   * replica that sends once loses every write whose message a partition
   * dropped: only the broken variant txn-lost-partition-writes turns it off.
   */
  resend?: boolean;
}

export class Replica {
  private readonly store = new Map<Key, unknown>();
  /** The stamp of the write each key holds. */
  private readonly stamps = new Map<Key, Stamp>();
  private clock = 0;
  private readonly applied = new Set<string>();
  /** Per peer: batches not acknowledged yet, with when each was last sent (0: never). */
  private readonly outbox = new Map<string, Map<string, { batch: Batch; sentAt: number }>>();
  private seq = 0;
  private readonly resend: boolean;

  constructor(private readonly node: MaelstromNode, opts: ReplicaOptions = {}) {
    this.resend = opts.resend ?? true;
    void node.initialized.then(() => {
      for (const p of node.peers) this.outbox.set(p, new Map());
      node.every(FLUSH_INTERVAL_MS, () => this.flush());
    });
    node.handle("replicate", (msg: Message) => this.receive(msg));
    node.handle("replicate_ok", (msg: Message) => {
      const queue = this.outbox.get(msg.src);
      for (const id of msg.body.ids as string[]) queue?.delete(id);
    });
  }

  /** The key's value in the local copy (null when never written). */
  read(key: Key): unknown {
    return this.store.get(key) ?? null;
  }

  /** Applies a transaction's writes to the local copy, all at once under one new stamp, and queues them for every peer. */
  commit(writes: ReadonlyMap<Key, unknown>): void {
    if (writes.size === 0) return;
    const stamp: Stamp = [++this.clock, this.node.id];
    for (const [k, v] of writes) {
      this.store.set(k, v);
      this.stamps.set(k, stamp);
    }
    const batch: Batch = { id: `${this.node.id}-${this.seq++}`, stamp, writes: [...writes] };
    for (const queue of this.outbox.values()) queue.set(batch.id, { batch, sentAt: 0 });
  }

  private receive(msg: Message): void {
    const batches = msg.body.batches as Batch[];
    for (const b of batches) {
      if (this.applied.has(b.id)) continue;
      this.applied.add(b.id);
      this.clock = Math.max(this.clock, b.stamp[0]);
      for (const [k, v] of b.writes) {
        const held = this.stamps.get(k);
        if (held && !newer(b.stamp, held)) continue;
        this.store.set(k, v);
        this.stamps.set(k, b.stamp);
      }
    }
    // An acknowledgement of its own (not a reply: replies only answer rpc() calls).
    this.node.send(msg.src, { type: "replicate_ok", ids: batches.map((b) => b.id) });
  }

  private flush(): void {
    const now = Date.now();
    for (const [peer, queue] of this.outbox) {
      const due: Batch[] = [];
      for (const [id, entry] of queue) {
        if (entry.sentAt !== 0 && now - entry.sentAt < RETRY_AFTER_MS) continue;
        entry.sentAt = now;
        due.push(entry.batch);
        if (!this.resend) queue.delete(id);
        if (due.length >= BATCHES_PER_MESSAGE) break;
      }
      if (due.length > 0) this.node.send(peer, { type: "replicate", batches: due } satisfies Body);
    }
  }
}
