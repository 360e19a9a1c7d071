// BROKEN VARIANT: forgets-deletes. Must pass `http-api` and FAIL
// `persistence` (and `crash-recovery`).
//
// PUT goes through the real durable store (WAL + fsync before the 200), but
// DELETE /kv/{key} and DELETE /clear only change the in-memory view and are
// never recorded on disk. While the process runs everything looks right;
// after any restart, deleted and cleared keys come back.

import { runNode } from '../../../../solutions/kv-store/src/lifecycle.js';
import type { DurableStore, Store } from '../../../../solutions/kv-store/src/store.js';

class ForgetsDeletesStore implements Store {
  private readonly view: Map<string, string>;

  constructor(private readonly durable: DurableStore) {
    this.view = new Map(durable.entries());
  }

  get(key: string): string | undefined {
    return this.view.get(key);
  }

  async put(key: string, value: string): Promise<void> {
    await this.durable.put(key, value);
    this.view.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.view.delete(key); // the bug: nothing reaches the WAL
  }

  async clear(): Promise<void> {
    this.view.clear(); // the bug: nothing reaches the WAL
  }

  close(): Promise<void> {
    return this.durable.close();
  }
}

runNode({ wrapStore: (durable) => new ForgetsDeletesStore(durable) }).catch((err: unknown) => {
  console.error(`fatal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
