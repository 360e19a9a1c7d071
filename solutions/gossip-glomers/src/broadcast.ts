// Challenges #3a–#3e, broadcast: every value a client broadcasts must end up
// in every node's `read`, even when the network is partitioned for a while,
// with few messages and low latency.
//
// Design: a star. The given topology is ignored; the node whose id sorts
// first is the hub, every other node is a leaf.
//
//   client → leaf ──(batch every LEAF_INTERVAL_MS)──→ hub ──(batch every HUB_INTERVAL_MS)──→ all other leaves
//
// So a value is at most two network hops from everywhere. Each node keeps,
// per peer, the values that peer has not acknowledged yet. On each tick it
// sends a peer one `gossip` message with those not sent yet and those whose
// batch went unanswered for RETRY_AFTER_MS (dropped, or lost to a
// partition), and nothing when there are none. Values leave a peer's list
// only when the peer acknowledges them with `gossip_ok`, so everything
// reaches everyone once the network heals.
//
// Cost at 25 nodes, 100 ops/s (about half broadcasts, half reads), 100 ms
// latency: the hub sends to 24 leaves every 50 ms when there is anything new
// (nearly always at this rate): 24 batches + 24 acks = 48 messages per tick,
// about 960 per second, 9.6 per client operation. Each broadcast also costs a
// leaf→hub batch and its ack (about 1 per operation), and each operation its
// own request and reply (2). Total ≈ 12.5 messages per operation.
// Latency from a broadcast's invocation to the last node: 100 ms (client →
// leaf) + leaf wait (≤ 20 ms) + 100 ms + hub wait (≤ 50 ms) + 100 ms, so
// 300–370 ms; Maelstrom-style stable latency (up to the last read that still
// missed the value, reads themselves taking 100 ms) is about 100 ms less.
// Measured with clstr's engine: 11.9 msgs-per-op, stable latency median 220 ms,
// max 270 ms. A longer HUB_INTERVAL_MS trades latency for fewer messages
// (100 ms: ≈ 8 msgs-per-op, median ≈ 260 ms).

import type { Body, MaelstromNode, Message } from "./maelstrom.js";

/** How often the hub sends new values to the leaves. */
const HUB_INTERVAL_MS = 50;
/** How often a leaf sends new values to the hub. */
const LEAF_INTERVAL_MS = 20;
/** An unanswered batch is sent again after this long. */
const RETRY_AFTER_MS = 1000;

export function broadcast(node: MaelstromNode): void {
  const seen = new Set<number>();
  /** Per peer: the values it has not acknowledged, and when each was last sent (0: not yet). */
  const unacked = new Map<string, Map<number, number>>();

  let hub = "";
  /** Who this node gossips with: the hub talks to every leaf, a leaf to the hub. */
  let peers: string[] = [];

  void node.initialized.then(() => {
    hub = [...node.nodeIds].sort()[0] ?? node.id;
    peers = node.id === hub ? node.peers : [hub];
    for (const p of peers) unacked.set(p, new Map());
    node.every(node.id === hub ? HUB_INTERVAL_MS : LEAF_INTERVAL_MS, flush);
  });

  /** Records new values and queues them for every peer but the one they came from. */
  function learn(values: number[], from?: string): void {
    for (const v of values) {
      if (seen.has(v)) continue;
      seen.add(v);
      for (const [peer, queue] of unacked) if (peer !== from) queue.set(v, 0);
    }
  }

  /** Sends each peer what it still lacks: new values, and values whose last batch went unanswered. */
  function flush(): void {
    const now = Date.now();
    for (const [peer, queue] of unacked) {
      const due = [...queue].filter(([, sentAt]) => sentAt === 0 || now - sentAt >= RETRY_AFTER_MS).map(([v]) => v);
      if (due.length === 0) continue;
      for (const v of due) queue.set(v, now);
      node.rpc(peer, { type: "gossip", messages: due }, { timeoutMs: RETRY_AFTER_MS }).then(
        () => due.forEach((v) => queue.delete(v)),
        () => {}, // no answer: the values stay queued and go again once RETRY_AFTER_MS has passed
      );
    }
  }

  node.handle("topology", (msg) => node.reply(msg, { type: "topology_ok" }));

  node.handle("broadcast", (msg) => {
    learn([Number(msg.body.message)]);
    node.reply(msg, { type: "broadcast_ok" });
  });

  node.handle("read", (msg) => node.reply(msg, { type: "read_ok", messages: [...seen] }));

  node.handle("gossip", (msg: Message) => {
    const body = msg.body as Body & { messages: number[] };
    learn(body.messages, msg.src);
    node.reply(msg, { type: "gossip_ok" });
  });
}
