// Challenge #4, grow-only counter on seq-kv.
//
// Each node owns one key in seq-kv, its own id, holding the total of the adds
// it acknowledged. Only that node writes it, so no cas is needed: the node
// keeps the total in memory (the truth) and copies it to seq-kv in the
// background whenever it changed (and once a second anyway). An add is
// acknowledged at once, so adds stay available during partitions. A read
// sums every node's key.
//
// seq-kv is sequentially consistent: a read may return an old state, but never
// one older than what this node wrote last. So a read first writes a dummy key
// of its own, which pulls this node's view up to the latest state, then reads
// the others' keys. Totals only grow, so the node also keeps the largest total
// it has seen per node: a read that times out (a partition) or is stale still
// counts what was seen before. Once the network heals, flushes and reads go
// through again and every node's read converges to the sum of all adds.

import { ErrorCode, KV, RPCError, type MaelstromNode } from "./maelstrom.js";

/** How often a changed total is written to seq-kv. */
const FLUSH_INTERVAL_MS = 50;
/**
 * An unchanged total is written again this often: a write that timed out may
 * still land late, after a newer one, and put an old total back.
 */
const REFRESH_MS = 1000;

export function gCounter(node: MaelstromNode): void {
  const kv = new KV(node, "seq-kv", { timeoutMs: 1000 });
  /** This node's acknowledged adds. */
  let total = 0;
  /** What seq-kv holds under this node's key, as far as we know. */
  let flushed = 0;
  let flushedAt = 0;
  /** The largest total seen per other node. */
  const known = new Map<string, number>();
  let syncs = 0;

  node.every(FLUSH_INTERVAL_MS, async () => {
    if (total === flushed && Date.now() - flushedAt < REFRESH_MS) return;
    const value = total;
    await kv.write(node.id, value);
    flushed = value;
    flushedAt = Date.now();
  });

  node.handle("add", (msg) => {
    total += Number(msg.body.delta);
    node.reply(msg, { type: "add_ok" });
  });

  node.handle("read", async (msg) => {
    try {
      await kv.write(`sync-${node.id}`, syncs++);
    } catch {
      // unreachable: the reads below may be stale, still fine for a read
    }
    const others = await Promise.all(
      node.peers.map(async (peer) => {
        try {
          const value = await kv.readOr<number>(peer, 0);
          known.set(peer, Math.max(known.get(peer) ?? 0, value));
        } catch (err) {
          if (!(err instanceof RPCError && err.code === ErrorCode.Timeout)) throw err;
        }
        return known.get(peer) ?? 0;
      }),
    );
    node.reply(msg, { type: "read_ok", value: others.reduce((a, b) => a + b, total) });
  });
}
