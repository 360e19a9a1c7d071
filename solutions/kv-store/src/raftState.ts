// Raft's persistent state for leader election: `currentTerm` and `votedFor`.
//
// Raft's safety rests on two promises that must hold across a crash:
//   - a node votes at most once per term, and
//   - its term never goes backwards.
// So a node must not answer a RequestVote or AppendEntries, nor ask for
// votes, until whatever it is about to tell the others is on disk.
//
// `RaftState` keeps the values in memory and writes them through a
// `StateStorage`. Changing them is synchronous (the Raft logic stays simple
// and never sees a half-applied change); anyone about to *tell* another node
// about them first awaits `durable()`.
//
// File in the data directory:
//   raft-state.json   {"term":3,"votedFor":"10.0.42.102:8080"}
//   raft-state.tmp    a replacement being written; ignored on start

import { mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';

export interface PersistentState {
  readonly term: number;
  /** Who we voted for in `term`, or null if we have not voted in it. */
  readonly votedFor: string | null;
}

/** Where the state lives. Injected, so tests can swap the disk for something else. */
export interface StateStorage {
  /** The last saved state, or undefined on a node's very first start. */
  load(): Promise<PersistentState | undefined>;
  /** Resolves once `state` would survive a crash (or a power cut). */
  save(state: PersistentState): Promise<void>;
}

const STATE_FILE = 'raft-state.json';
const STATE_TMP = 'raft-state.tmp';

/**
 * The state as a tiny JSON file, replaced atomically: write a temp file,
 * fsync it, rename it over the old one, fsync the directory. A crash at any
 * point leaves either the old file or the new one, never a mix, so there is
 * no torn write to detect.
 */
export class FileStateStorage implements StateStorage {
  constructor(private readonly dir: string) {}

  async load(): Promise<PersistentState | undefined> {
    let text: string;
    try {
      text = await readFile(path.join(this.dir, STATE_FILE), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const parsed = parseState(text);
    // The file only ever appears through an fsynced rename, so a bad one is
    // real corruption. Starting at term 0 could mean voting twice in a term
    // we already voted in: refuse instead.
    if (parsed === undefined) throw new Error(`${STATE_FILE} is corrupt; refusing to start`);
    return parsed;
  }

  async save(state: PersistentState): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmpPath = path.join(this.dir, STATE_TMP);
    const tmp = await open(tmpPath, 'w', 0o644);
    try {
      await tmp.writeFile(JSON.stringify({ term: state.term, votedFor: state.votedFor }) + '\n');
      await tmp.sync();
    } finally {
      await tmp.close();
    }
    await rename(tmpPath, path.join(this.dir, STATE_FILE));
    // The rename itself is only durable once the directory is synced.
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}

function parseState(text: string): PersistentState | undefined {
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof x !== 'object' || x === null) return undefined;
  const { term, votedFor } = x as Record<string, unknown>;
  if (!Number.isSafeInteger(term) || (term as number) < 0) return undefined;
  if (votedFor !== null && typeof votedFor !== 'string') return undefined;
  return { term: term as number, votedFor };
}

/**
 * The current term and vote, in memory, plus a single writer that puts the
 * latest values on disk. Several changes made while a write is running are
 * saved together by the next one (like the WAL's group commit), so a burst
 * of vote requests costs one or two fsyncs, not one each.
 */
export class RaftState {
  private current: PersistentState;
  /** Set when `current` differs from what the last finished save wrote. */
  private dirty = false;
  private writing: Promise<void> | undefined;
  // After a failed save we no longer know what is on disk, so every later
  // `durable()` fails too: the node stops voting and campaigning rather
  // than promise something a restart might forget.
  private failure: Error | undefined;

  private constructor(
    private readonly storage: StateStorage,
    initial: PersistentState,
  ) {
    this.current = initial;
  }

  static async open(storage: StateStorage): Promise<RaftState> {
    const saved = await storage.load();
    return new RaftState(storage, saved ?? { term: 0, votedFor: null });
  }

  get term(): number {
    return this.current.term;
  }

  get votedFor(): string | null {
    return this.current.votedFor;
  }

  /** Changes the state in memory and starts saving it. Terms never go back. */
  update(term: number, votedFor: string | null): void {
    if (term < this.current.term) {
      throw new Error(`term cannot go backwards (${this.current.term} -> ${term})`);
    }
    if (term === this.current.term && votedFor === this.current.votedFor) return;
    this.current = { term, votedFor };
    this.dirty = true;
    // Start the write now; whoever needs it on disk awaits durable().
    this.durable().catch(() => {
      // Recorded in `failure`; reported to the next caller of durable().
    });
  }

  /** Resolves once every change made so far is on disk. */
  async durable(): Promise<void> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      if (this.writing !== undefined) {
        // A save is running, but it may have started before our change.
        await this.writing;
        continue;
      }
      if (!this.dirty) return;
      this.dirty = false;
      const snapshot = this.current;
      this.writing = this.storage
        .save(snapshot)
        .catch((err: unknown) => {
          this.failure = new Error(`cannot save the Raft state: ${err instanceof Error ? err.message : String(err)}`);
        })
        .finally(() => {
          this.writing = undefined;
        });
    }
  }
}
