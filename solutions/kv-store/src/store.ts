// The key-value store as the HTTP layer sees it, and the state machine
// behind it.
//
// The HTTP layer only knows the `Store` interface. In a cluster, the store
// is `ReplicatedStore`: a write becomes a Raft log entry and resolves once
// that entry is committed (on a majority's disk) and applied here; `get`
// reads the applied state. Whether a read may be answered at all (only on a
// leader that has just confirmed its leadership) is decided in front of the
// store, by the cluster layer in http.ts.

import type { Command } from './messages.js';
import type { RaftNode } from './raft.js';

export interface Store {
  get(key: string): string | undefined;
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  clear(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The key-value map, changed only by applying committed log entries, in
 * index order. set/delete/clear depend on nothing but the command, so every
 * node that applies the same entries holds the same map.
 */
export class KvStateMachine {
  private map = new Map<string, string>();

  apply(command: Command): void {
    switch (command.op) {
      case 'put':
        this.map.set(command.key, command.value);
        break;
      case 'delete':
        this.map.delete(command.key);
        break;
      case 'clear':
        this.map.clear();
        break;
      case 'noop':
      case 'config': // who the members are is Raft's business, not the map's
        break;
    }
  }

  get(key: string): string | undefined {
    return this.map.get(key);
  }

  get size(): number {
    return this.map.size;
  }

  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }

  /** The map as JSON object text: the data of a snapshot. (fromEntries keeps a key like "__proto__" an ordinary key.) */
  snapshot(): string {
    return JSON.stringify(Object.fromEntries(this.map));
  }

  /** Replaces the map with a snapshot's data (validated where it came in: messages.ts, snapshot.ts). */
  restore(data: string): void {
    this.map = new Map(Object.entries(JSON.parse(data) as Record<string, string>));
  }
}

/** Writes go through the Raft log; they resolve once committed and applied. */
export class ReplicatedStore implements Store {
  constructor(
    private readonly raft: RaftNode,
    private readonly machine: KvStateMachine,
  ) {}

  get(key: string): string | undefined {
    return this.machine.get(key);
  }

  get size(): number {
    return this.machine.size;
  }

  /** The applied contents; used by wrappers that keep their own view. */
  entries(): IterableIterator<[string, string]> {
    return this.machine.entries();
  }

  put(key: string, value: string): Promise<void> {
    return this.raft.propose({ op: 'put', key, value });
  }

  delete(key: string): Promise<void> {
    return this.raft.propose({ op: 'delete', key });
  }

  clear(): Promise<void> {
    return this.raft.propose({ op: 'clear' });
  }

  /** Stops Raft and closes the log; writes already acknowledged are on disk. */
  close(): Promise<void> {
    return this.raft.close();
  }
}

/**
 * The store handed to `NodeOptions.wrapStore`: writes that resolve are
 * durable (on a majority's disk). The name predates replication; the test
 * variants in test/broken/kv-store use it.
 */
export type DurableStore = ReplicatedStore;
