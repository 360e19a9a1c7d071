// BROKEN VARIANT: write-behind. Must pass `http-api` and `persistence`, and
// FAIL `crash-recovery`.
//
// PUT, DELETE and DELETE /clear are acknowledged as soon as they are applied
// to memory. The operations wait in process memory and reach the durable
// store (WAL + fsync) only every 2 seconds and on SIGTERM/SIGINT. A graceful
// restart therefore loses nothing, but a SIGKILL shortly after a 200 loses
// every write acknowledged since the last flush.

import { runNode } from '../../../../solutions/kv-store/src/lifecycle.js';
import type { DurableStore, Store } from '../../../../solutions/kv-store/src/store.js';

const FLUSH_INTERVAL_MS = 2000;

type PendingOp = { op: 'set'; key: string; value: string } | { op: 'delete'; key: string } | { op: 'clear' };

class WriteBehindStore implements Store {
  private readonly view: Map<string, string>;
  private pending: PendingOp[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly durable: DurableStore) {
    this.view = new Map(durable.entries());
    this.timer = setInterval(() => {
      this.flush().catch((err: unknown) => console.error(`flush failed: ${String(err)}`));
    }, FLUSH_INTERVAL_MS);
  }

  get(key: string): string | undefined {
    return this.view.get(key);
  }

  async put(key: string, value: string): Promise<void> {
    this.view.set(key, value);
    this.pending.push({ op: 'set', key, value });
  }

  async delete(key: string): Promise<void> {
    this.view.delete(key);
    this.pending.push({ op: 'delete', key });
  }

  async clear(): Promise<void> {
    this.view.clear();
    this.pending.push({ op: 'clear' });
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    await this.durable.close();
  }

  private flush(): Promise<void> {
    // Chain flushes so two of them never interleave their operations.
    this.flushing = this.flushing.then(async () => {
      const ops = this.pending;
      this.pending = [];
      // Submitting synchronously keeps the order; the durable store batches
      // them into one fsync.
      await Promise.all(
        ops.map((o) =>
          o.op === 'set' ? this.durable.put(o.key, o.value) : o.op === 'delete' ? this.durable.delete(o.key) : this.durable.clear(),
        ),
      );
    });
    return this.flushing;
  }
}

runNode({ wrapStore: (durable) => new WriteBehindStore(durable) }).catch((err: unknown) => {
  console.error(`fatal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
