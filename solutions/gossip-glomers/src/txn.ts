// Challenges #6a–#6c, totally-available transactions: a key/value store
// whose only request is `txn`, a list of micro-operations [f, k, v] run in
// order ("r" reads, "w" writes), answered `txn_ok` with the reads filled in.
//
// Design: every node holds a full copy of the store and runs each
// transaction on it, alone (Node is single-threaded and the handler never
// awaits), so a transaction sees no other's partial state and its reads
// see its own earlier writes. It answers at once, partition or not (total
// availability), and replicates the transaction's effect to every peer in
// the background: one `replicate` message per transaction with each key's
// final value, applied by the peer all together. So no transaction ever
// observes another's intermediate or uncommitted writes (read committed:
// no G1a, G1b) and every read reflects transactions that ran earlier, so no
// cycle of writes and reads (G0, G1c) can form.
//
// The same node runs txn-list-append on one node ("append" micro-operations
// add to a key's list); across nodes it would need more than last-writer-wins.
//
// Batches stay queued per peer until acknowledged, and are resent every
// RETRY_AFTER_MS, so writes made during a partition reach the peer once it
// heals; a peer applies each batch once (by id).

import type { Body, MaelstromNode, Message } from "./maelstrom.js";

type Key = number | string;
type Mop = [string, Key, unknown];

/** How often queued batches go out to the peers. */
const FLUSH_INTERVAL_MS = 20;
/** A batch not acknowledged is sent again after this long. */
const RETRY_AFTER_MS = 500;

interface Batch {
  id: string;
  writes: [Key, unknown][];
}

export function txn(node: MaelstromNode): void {
  const store = new Map<Key, unknown>();
  const applied = new Set<string>();
  /** Per peer: batches not acknowledged yet, with when each was last sent (0: never). */
  const outbox = new Map<string, Map<string, { batch: Batch; sentAt: number }>>();
  let seq = 0;

  void node.initialized.then(() => {
    for (const p of node.peers) outbox.set(p, new Map());
    node.every(FLUSH_INTERVAL_MS, flush);
  });

  node.handle("txn", (msg) => {
    const ops = msg.body.txn as Mop[];
    const writes = new Map<Key, unknown>();
    const done: Mop[] = ops.map(([f, k, v]) => {
      if (f === "r") return [f, k, store.get(k) ?? null];
      // txn-list-append (one node): append to the key's list, a fresh copy so earlier replies keep their value.
      if (f === "append") v = [...((store.get(k) as unknown[] | undefined) ?? []), v];
      store.set(k, v);
      writes.set(k, v);
      return [f, k, f === "append" ? (v as unknown[]).at(-1) : v];
    });
    node.reply(msg, { type: "txn_ok", txn: done });
    if (writes.size === 0) return;
    const batch: Batch = { id: `${node.id}-${seq++}`, writes: [...writes] };
    for (const queue of outbox.values()) queue.set(batch.id, { batch, sentAt: 0 });
  });

  node.handle("replicate", (msg: Message) => {
    const batches = msg.body.batches as Batch[];
    for (const b of batches) {
      if (applied.has(b.id)) continue;
      applied.add(b.id);
      for (const [k, v] of b.writes) store.set(k, v);
    }
    // An acknowledgement of its own (not a reply: replies only answer rpc() calls).
    node.send(msg.src, { type: "replicate_ok", ids: batches.map((b) => b.id) });
  });

  node.handle("replicate_ok", (msg: Message) => {
    const queue = outbox.get(msg.src);
    for (const id of msg.body.ids as string[]) queue?.delete(id);
  });

  function flush(): void {
    const now = Date.now();
    for (const [peer, queue] of outbox) {
      const due: Batch[] = [];
      for (const entry of queue.values()) {
        if (entry.sentAt !== 0 && now - entry.sentAt < RETRY_AFTER_MS) continue;
        entry.sentAt = now;
        due.push(entry.batch);
        if (due.length >= 500) break;
      }
      if (due.length > 0) node.send(peer, { type: "replicate", batches: due } satisfies Body);
    }
  }
}
