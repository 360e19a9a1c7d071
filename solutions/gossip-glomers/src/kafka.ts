// Challenges #5a–#5c, kafka-style log: append to per-key logs, poll from an
// offset, commit and list committed offsets, on one node or several.
//
// Everything shared lives in lin-kv, so any node can serve any key:
//
//   "next:<key>"       the next free offset of the key's log (missing: 0)
//   "msg:<key>:<off>"  the message at that offset (written once, never changed)
//   "committed:<key>"  the committed offset (only ever grows)
//
// send: offsets come from a cas loop on "next:<key>". Sends for the same key
// that arrive while an allocation is in flight wait and are allocated together
// in one cas (a block of n offsets), so a busy key costs far fewer than one
// cas per message. Each message is then written under its own key and
// acknowledged. Offsets are never reused: a block belongs to the node whose
// cas moved the counter past it.
//
// poll: reads "next:<key>" for the end of the log, then the messages from the
// requested offset up to it (at most MAX_POLL per key), and returns the
// prefix that is present. An offset can be allocated but not yet written (its
// send is in flight); the poll stops there rather than skip it. Messages
// never change once written, so every node caches the ones it has seen, and
// tells the other nodes about the ones it writes, which saves most lin-kv
// reads.
//
// Known limit: if a cas times out but did happen (the reply was lost), its
// block is allocated to nobody and polls stop at that hole. lin-kv answers
// well within the timeout unless the network drops messages to it.

import { ErrorCode, KV, RPCError, type MaelstromNode } from "./maelstrom.js";

/** The most messages one poll returns per key. */
const MAX_POLL = 100;
const KV_TIMEOUT_MS = 2000;

/** Hands out offsets: `allocate` returns the first of `count` fresh consecutive offsets. */
export interface OffsetAllocator {
  allocate(key: string, count: number): Promise<number>;
  /** One past the last offset allocated so far. */
  end(key: string): Promise<number>;
}

/** The correct allocator: a cas loop on a counter in lin-kv. */
export class LinKvOffsets implements OffsetAllocator {
  /** Our latest idea of each counter, so the first cas usually succeeds. */
  private readonly guess = new Map<string, number>();

  constructor(private readonly kv: KV) {}

  async allocate(key: string, count: number): Promise<number> {
    let from = this.guess.get(key) ?? (await retrying(() => this.kv.readOr(`next:${key}`, 0)));
    for (;;) {
      try {
        // create_if_not_exists only helps when the counter has never been set (from 0).
        await retrying(() => this.kv.cas(`next:${key}`, from, from + count, from === 0));
        this.guess.set(key, from + count);
        return from;
      } catch (err) {
        if (!(err instanceof RPCError && err.code === ErrorCode.PreconditionFailed)) throw err;
        from = await retrying(() => this.kv.readOr(`next:${key}`, 0)); // someone else allocated: look again
      }
    }
  }

  async end(key: string): Promise<number> {
    const end = await retrying(() => this.kv.readOr(`next:${key}`, 0));
    this.guess.set(key, Math.max(this.guess.get(key) ?? 0, end));
    return end;
  }
}

interface Waiting {
  msg: unknown;
  resolve: (offset: number) => void;
  reject: (err: unknown) => void;
}

export function kafka(node: MaelstromNode, offsets?: OffsetAllocator): void {
  const kv = new KV(node, "lin-kv", { timeoutMs: KV_TIMEOUT_MS });
  const allocator = offsets ?? new LinKvOffsets(kv);
  /** Messages known to be in lin-kv: key → offset → message. */
  const cache = new Map<string, Map<number, unknown>>();
  /** Sends waiting for an offset, per key, and the keys with an allocation under way. */
  const queues = new Map<string, Waiting[]>();
  const allocating = new Set<string>();
  /** The largest committed offset we know of per key (commits only grow). */
  const committed = new Map<string, number>();

  const cached = (key: string) => cache.get(key) ?? cache.set(key, new Map()).get(key)!;

  function append(key: string, msg: unknown): Promise<number> {
    return new Promise((resolve, reject) => {
      const queue = queues.get(key) ?? queues.set(key, []).get(key)!;
      queue.push({ msg, resolve, reject });
      void allocateQueued(key);
    });
  }

  /** Allocates offsets for every send queued on `key`, one block at a time. */
  async function allocateQueued(key: string): Promise<void> {
    if (allocating.has(key)) return; // the running loop will pick the new send up
    allocating.add(key);
    try {
      for (let batch = queues.get(key)?.splice(0) ?? []; batch.length > 0; batch = queues.get(key)?.splice(0) ?? []) {
        let first: number;
        try {
          first = await allocator.allocate(key, batch.length);
        } catch (err) {
          batch.forEach((w) => w.reject(err));
          continue;
        }
        void store(key, first, batch); // writing can overlap the next allocation
      }
    } finally {
      allocating.delete(key);
    }
  }

  /** Writes an allocated block's messages, then acknowledges each send. */
  async function store(key: string, first: number, batch: Waiting[]): Promise<void> {
    await Promise.all(
      batch.map(async (w, i) => {
        try {
          await retrying(() => kv.write(`msg:${key}:${first + i}`, w.msg));
          cached(key).set(first + i, w.msg);
          w.resolve(first + i);
        } catch (err) {
          w.reject(err);
        }
      }),
    );
    const entries = batch.map((w, i) => [first + i, w.msg]);
    for (const peer of node.peers) node.send(peer, { type: "kafka_cache", key, entries });
  }

  /** Messages of `key` from offset `from` on, as [offset, message] pairs, stopping at the first gap. */
  async function readLog(key: string, from: number): Promise<[number, unknown][]> {
    const end = Math.min(await allocator.end(key), from + MAX_POLL);
    const known = cached(key);
    const offsets = Array.from({ length: Math.max(0, end - from) }, (_, i) => from + i);
    const values = await Promise.all(
      offsets.map(async (o) => {
        if (known.has(o)) return { found: true, value: known.get(o) };
        const value = await retrying(() => kv.readOr<unknown>(`msg:${key}:${o}`, undefined));
        if (value === undefined) return { found: false, value };
        known.set(o, value);
        return { found: true, value };
      }),
    );
    const out: [number, unknown][] = [];
    for (const [i, v] of values.entries()) {
      if (!v.found) break; // allocated but not written yet: never skip it
      out.push([offsets[i]!, v.value]);
    }
    return out;
  }

  /** Raises the committed offset of `key` to at least `offset`. */
  async function commit(key: string, offset: number): Promise<void> {
    let current = committed.get(key);
    while (current === undefined || current < offset) {
      try {
        await retrying(() => kv.cas(`committed:${key}`, current ?? null, offset, current === undefined));
        current = offset;
      } catch (err) {
        if (!(err instanceof RPCError && err.code === ErrorCode.PreconditionFailed)) throw err;
        current = await retrying(() => kv.read<number>(`committed:${key}`));
      }
    }
    committed.set(key, Math.max(committed.get(key) ?? 0, current));
  }

  node.handle("send", async (msg) => {
    const offset = await append(String(msg.body.key), msg.body.msg);
    node.reply(msg, { type: "send_ok", offset });
  });

  node.handle("poll", async (msg) => {
    const requested = msg.body.offsets as Record<string, number>;
    const msgs: Record<string, [number, unknown][]> = {};
    await Promise.all(
      Object.entries(requested).map(async ([key, from]) => {
        msgs[key] = await readLog(key, from);
      }),
    );
    node.reply(msg, { type: "poll_ok", msgs });
  });

  node.handle("commit_offsets", async (msg) => {
    const requested = msg.body.offsets as Record<string, number>;
    await Promise.all(Object.entries(requested).map(([key, offset]) => commit(key, offset)));
    node.reply(msg, { type: "commit_offsets_ok" });
  });

  node.handle("list_committed_offsets", async (msg) => {
    const keys = (msg.body.keys as unknown[]).map(String);
    const offsets: Record<string, number> = {};
    await Promise.all(
      keys.map(async (key) => {
        const value = await retrying(() => kv.readOr<number | undefined>(`committed:${key}`, undefined));
        if (value !== undefined) offsets[key] = value;
      }),
    );
    node.reply(msg, { type: "list_committed_offsets_ok", offsets });
  });

  // Another node wrote these messages to lin-kv: remember them, saving reads.
  node.handle("kafka_cache", (msg) => {
    const known = cached(String(msg.body.key));
    for (const [offset, value] of msg.body.entries as [number, unknown][]) known.set(offset, value);
  });
}

/** Runs `fn` again after timeouts (the request may or may not have happened) until it gets an answer. */
async function retrying<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const transient = err instanceof RPCError && (err.code === ErrorCode.Timeout || err.code === ErrorCode.TemporarilyUnavailable);
      if (!transient || i >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** i));
    }
  }
}
