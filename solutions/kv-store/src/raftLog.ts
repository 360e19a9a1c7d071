// The Raft log: in memory for Raft to read, and on disk so that a node keeps
// every entry it acknowledged through any crash. It is the write-ahead log of
// the key-value store: the map is rebuilt from it on start.
//
// File in the data directory, one record per line (format in record.ts):
//
//   raft-log   {"index":1,"term":1,"command":{"op":"noop"}}
//              {"index":2,"term":1,"command":{"op":"put","key":"a","value":"1"}}
//              {"commit-index":2}
//
// Entries are consecutive from index 1, or from `base + 1` once a snapshot
// (snapshot.ts) covers entries 1..base; `base` and its term come from the
// snapshot. Removing a conflicting suffix cuts the file back (ftruncate) to
// where that entry's record began, so the file is always exactly the log
// plus commit markers. Discarding a prefix the snapshot covers rewrites the
// file with what remains (temp file, fsync, rename, fsync the directory), in
// order with the other writes.
//
// A commit marker records a commit index the node knew. A commit index only
// ever grows and committed entries are never removed, so a marker stays true
// forever; markers are written without an fsync of their own (one lost in a
// power cut only means a lower, still correct, commit index after restart).
//
// Raft changes the log synchronously in memory; a single writer loop puts
// the changes on disk in order, many per fsync (group commit). `flushed()`
// resolves once everything changed so far is on disk; `durableIndex` is the
// highest entry known to be there.

import { constants, type FileHandle, mkdir, open, rename } from 'node:fs/promises';
import path from 'node:path';
import { BadMessage, decodeEntry, type LogEntry } from './messages.js';
import { decodeRecords, encodeRecord } from './record.js';

const LOG_FILE = 'raft-log';
const LOG_TMP = 'raft-log.tmp';

type DiskOp =
  | { kind: 'write'; bytes: Buffer; at: number; sync: boolean }
  | { kind: 'truncate'; size: number }
  /** Replace the file with its bytes [from, to): the records after a discarded prefix. */
  | { kind: 'compact'; from: number; to: number };

type LogRecord = { kind: 'entry'; entry: LogEntry } | { kind: 'commit'; index: number };

export interface LogRecovery {
  /** Entries kept after the snapshot. */
  entries: number;
  commitIndex: number;
  droppedBytes: number;
  /** Why the tail was dropped, when it was. */
  problem?: string;
  /** Entries dropped because they disagree with the snapshot (a crash while installing one). */
  discarded: number;
  millis: number;
}

export class RaftLog {
  /** Entries base+1, base+2, ...: entries[i] has index base + 1 + i. */
  private entries: LogEntry[];
  /** Byte offset in the file where each entry's record starts (entries[i] at starts[i]). */
  private starts: number[];
  /** The last index a snapshot covers (0 without one); the log starts after it. */
  private base: number;
  /** The term of entry `base` (the snapshot's last-included-term). */
  private baseTerm: number;
  private file: FileHandle;
  /** The file's size once every queued operation has run. */
  private end: number;

  private queue: DiskOp[] = [];
  private writing = false;
  private queueWaiters: Array<() => void> = [];
  private batchWaiters: Array<() => void> = [];
  private failure: Error | undefined;
  private closed = false;
  private writerDone: Promise<void> = Promise.resolve();
  /** Truncations during the batch being written cap what it makes durable. */
  private batchCap = Infinity;

  /** Highest index whose entry (and everything before it) is on disk. */
  durableIndex: number;
  /** The highest commit index written to the file, or queued to be. */
  private savedCommit: number;
  /** Called after each fsync that made more entries durable. */
  onDurable: (index: number) => void = () => {};

  readonly recovery: LogRecovery;

  private constructor(
    private readonly dir: string,
    file: FileHandle,
    base: { index: number; term: number },
    entries: LogEntry[],
    starts: number[],
    end: number,
    commitIndex: number,
    recovery: LogRecovery,
    private readonly onFailure: (err: Error) => void,
  ) {
    this.file = file;
    this.base = base.index;
    this.baseTerm = base.term;
    this.entries = entries;
    this.starts = starts;
    this.end = end;
    this.durableIndex = base.index + entries.length;
    this.savedCommit = commitIndex;
    this.recovery = recovery;
  }

  /**
   * Loads `dir/raft-log`, dropping a torn last record. `snapshot` is the
   * snapshot on disk (index 0 without one): entries it covers are skipped,
   * and entries that disagree with it are dropped. `onFailure` is called if
   * a write or fsync ever fails: we then no longer know what is on disk, and
   * the only safe thing left is to stop (a restart recovers).
   */
  static async open(dir: string, snapshot: { index: number; term: number }, onFailure: (err: Error) => void): Promise<RaftLog> {
    const started = performance.now();
    await mkdir(dir, { recursive: true });
    let file = await open(path.join(dir, LOG_FILE), constants.O_RDWR | constants.O_CREAT, 0o644);
    try {
      const contents = await file.readFile();
      const decoded = decodeRecords(contents, parseRecord);
      const base = snapshot.index;
      const entries: LogEntry[] = [];
      let starts: number[] = [];
      let commitIndex = 0;
      let goodBytes = decoded.goodBytes;
      let problem = decoded.problem;
      // Entries at or below the snapshot, still in the file: the process
      // died between saving a snapshot and rewriting the log.
      let covered = 0;
      // The file's entry at `base` has another term: what follows it is
      // another history, never committed (an InstallSnapshot replaced it).
      let disagrees = false;
      let discarded = 0;
      for (let i = 0; i < decoded.records.length; i++) {
        const r = decoded.records[i]!;
        if (r.kind === 'commit') {
          commitIndex = Math.max(commitIndex, r.index);
        } else if (r.entry.index <= base && entries.length === 0) {
          covered++;
          if (r.entry.index === base && r.entry.term !== snapshot.term) disagrees = true;
        } else if (r.entry.index === base + entries.length + 1 && !disagrees) {
          entries.push(r.entry);
          starts.push(decoded.starts[i]!);
        } else if (disagrees) {
          covered++;
          discarded++;
        } else {
          // Only a bug could write this; stop here as for a torn record.
          goodBytes = decoded.starts[i]!;
          problem = `entry ${r.entry.index} out of order after ${base + entries.length}`;
          break;
        }
      }
      const droppedBytes = contents.length - goodBytes;
      if (covered > 0) {
        // Finish what the crash interrupted: keep only the entries after the
        // snapshot (none if they disagree with it).
        const from = entries.length > 0 ? starts[0]! : goodBytes;
        await file.close();
        file = await rewrite(dir, contents.subarray(from, goodBytes));
        starts = starts.map((s) => s - from);
        goodBytes -= from;
      } else if (droppedBytes > 0) {
        // The record being appended when we crashed. It was never
        // acknowledged (we answer only after the fsync), so drop it.
        await file.truncate(goodBytes);
        await file.sync();
      } else if (contents.length === 0) {
        // A new file: make its directory entry durable too.
        await fsyncDir(dir);
      }
      // A marker is written after the entries it covers, so this only
      // matters for a marker that outlived a torn entry; be safe anyway.
      // Everything a snapshot covers is committed.
      commitIndex = Math.max(base, Math.min(commitIndex, base + entries.length));
      const recovery: LogRecovery = {
        entries: entries.length,
        commitIndex,
        droppedBytes,
        discarded,
        millis: Math.round(performance.now() - started),
      };
      if (problem !== undefined && droppedBytes > 0) recovery.problem = problem;
      return new RaftLog(dir, file, snapshot, entries, starts, goodBytes, commitIndex, recovery, onFailure);
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  /** The last index a snapshot covers; the log holds the entries after it. */
  get snapshotIndex(): number {
    return this.base;
  }

  get lastIndex(): number {
    return this.base + this.entries.length;
  }

  get lastTerm(): number {
    return this.entries.length === 0 ? this.baseTerm : this.entries[this.entries.length - 1]!.term;
  }

  /**
   * The term of entry `index`: the snapshot's last-included-term at its
   * index, 0 for index 0; undefined past the end and below the snapshot.
   */
  term(index: number): number | undefined {
    if (index === this.base) return this.baseTerm;
    if (index < this.base) return undefined;
    return this.entries[index - this.base - 1]?.term;
  }

  /** Entry `index`, if the log holds it (not one a snapshot covers). */
  entry(index: number): LogEntry | undefined {
    return index > this.base ? this.entries[index - this.base - 1] : undefined;
  }

  /** Entries from `from` (after the snapshot) through `to`, inclusive. */
  slice(from: number, to: number): LogEntry[] {
    if (from <= this.base) throw new Error(`BUG: entry ${from} is in the snapshot (through ${this.base})`);
    return this.entries.slice(from - this.base - 1, to - this.base);
  }

  /** The entries after the snapshot. */
  all(): readonly LogEntry[] {
    return this.entries;
  }

  /** The first index of the run of entries with `term` that ends at `index`, never at or below the snapshot. */
  firstIndexOfTerm(index: number): number {
    const term = this.term(index);
    let i = index;
    while (i > this.base + 1 && this.term(i - 1) === term) i--;
    return Math.max(i, this.base + 1);
  }

  /** The last index holding `term` (the snapshot's last entry included), or 0 if none does. */
  lastIndexOfTerm(term: number): number {
    for (let i = this.entries.length; i >= 1; i--) {
      const t = this.entries[i - 1]!.term;
      if (t === term) return this.base + i;
      if (t < term) return 0; // terms only grow along the log
    }
    return this.base > 0 && this.baseTerm === term ? this.base : 0;
  }

  /**
   * Forgets the entries through `index`, which a snapshot now on disk
   * covers, with `term` its last-included-term. With `keepAfter` the
   * entries after `index` stay (a snapshot of our own applied entries, or
   * one whose last entry our log holds: by the Log Matching Property what
   * follows agrees); without, the whole log goes (an InstallSnapshot from a
   * leader whose log ours does not match at `index`).
   */
  discardThrough(index: number, term: number, keepAfter: boolean): void {
    if (index <= this.base) return;
    const keep = keepAfter && index <= this.lastIndex;
    const firstKept = index - this.base; // position in `entries` of entry index + 1
    let from: number;
    if (keep && firstKept < this.entries.length) {
      from = this.starts[firstKept]!;
      this.entries = this.entries.slice(firstKept);
      this.starts = this.starts.slice(firstKept).map((s) => s - from);
    } else {
      from = this.end;
      this.entries = [];
      this.starts = [];
    }
    // The snapshot holds everything through `index` durably.
    this.durableIndex = Math.max(this.durableIndex, index);
    this.base = index;
    this.baseTerm = term;
    this.enqueue({ kind: 'compact', from, to: this.end });
    this.end -= from;
  }

  /** Appends consecutive entries starting at lastIndex + 1. */
  append(entries: readonly LogEntry[]): void {
    if (entries.length === 0) return;
    const chunks: Buffer[] = [];
    const at = this.end;
    for (const e of entries) {
      if (e.index !== this.lastIndex + 1) throw new Error(`BUG: appending entry ${e.index} after ${this.lastIndex}`);
      const record = encodeRecord({ index: e.index, term: e.term, command: e.command });
      this.entries.push(e);
      this.starts.push(this.end);
      this.end += record.length;
      chunks.push(record);
    }
    this.enqueue({ kind: 'write', bytes: Buffer.concat(chunks), at, sync: true });
  }

  /** Removes entry `index` and everything after it (a conflicting suffix). */
  truncateFrom(index: number): void {
    if (index > this.lastIndex) return;
    if (index <= this.base) throw new Error(`BUG: truncating at ${index}, inside the snapshot (through ${this.base})`);
    const position = index - this.base - 1;
    const size = this.starts[position]!;
    this.entries.length = position;
    this.starts.length = position;
    this.end = size;
    this.durableIndex = Math.min(this.durableIndex, index - 1);
    this.batchCap = Math.min(this.batchCap, index - 1);
    this.enqueue({ kind: 'truncate', size });
  }

  /** Remembers that everything up to `index` is committed (see the top of the file). */
  saveCommitIndex(index: number): void {
    if (index <= this.savedCommit || this.closed) return;
    this.savedCommit = index;
    const bytes = encodeRecord({ 'commit-index': index });
    this.enqueue({ kind: 'write', bytes, at: this.end, sync: false });
    this.end += bytes.length;
  }

  /** Resolves once every change made so far is on disk. */
  flushed(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.queue.length > 0) return new Promise((resolve) => this.queueWaiters.push(resolve));
    if (this.writing) return new Promise((resolve) => this.batchWaiters.push(resolve));
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writerDone;
    await this.file.close();
  }

  /**
   * Replaces the file with its bytes [from, to). Every operation queued
   * before this one has run, so those bytes are exactly the records after
   * the discarded prefix.
   */
  private async compact(from: number, to: number): Promise<void> {
    const kept = Buffer.alloc(to - from);
    let done = 0;
    while (done < kept.length) {
      const { bytesRead } = await this.file.read(kept, done, kept.length - done, from + done);
      if (bytesRead === 0) throw new Error(`raft-log is shorter than expected (${from + done} < ${to})`);
      done += bytesRead;
    }
    const replacement = await rewrite(this.dir, kept);
    const old = this.file;
    this.file = replacement;
    await old.close();
  }

  private enqueue(op: DiskOp): void {
    if (this.failure !== undefined) return;
    this.queue.push(op);
    if (!this.writing) {
      this.writing = true;
      this.writerDone = this.writerLoop();
    }
  }

  // The single writer: takes everything queued, writes it in order, fsyncs
  // once, and starts over while there is more.
  private async writerLoop(): Promise<void> {
    try {
      while (this.queue.length > 0 && this.failure === undefined) {
        const batch = this.queue;
        this.queue = [];
        this.batchWaiters = this.queueWaiters;
        this.queueWaiters = [];
        const batchLast = this.lastIndex;
        this.batchCap = Infinity;
        let sync = false;
        try {
          for (const op of batch) {
            if (op.kind === 'truncate') {
              await this.file.truncate(op.size);
              sync = true;
            } else if (op.kind === 'compact') {
              await this.compact(op.from, op.to);
              sync = true;
            } else {
              await writeAll(this.file, op.bytes, op.at);
              sync ||= op.sync;
            }
          }
          // fdatasync covers the data and the file size, which is all a
          // reader needs; it skips the mtime.
          if (sync) await this.file.datasync();
        } catch (err) {
          this.failure = new Error(`Raft log write failed: ${err instanceof Error ? err.message : String(err)}`);
          this.onFailure(this.failure);
          return;
        }
        const waiters = this.batchWaiters;
        this.batchWaiters = [];
        const durable = Math.min(batchLast, this.batchCap);
        if (sync && durable > this.durableIndex) {
          this.durableIndex = durable;
          this.onDurable(durable);
        }
        for (const w of waiters) w();
      }
    } finally {
      this.writing = false;
    }
  }
}

/** Writes `bytes` as the new log file (temp file, fsync, rename, fsync the directory) and opens it. */
async function rewrite(dir: string, bytes: Buffer): Promise<FileHandle> {
  const tmpPath = path.join(dir, LOG_TMP);
  const tmp = await open(tmpPath, 'w', 0o644);
  try {
    await writeAll(tmp, bytes, 0);
    await tmp.datasync();
  } finally {
    await tmp.close();
  }
  await rename(tmpPath, path.join(dir, LOG_FILE));
  await fsyncDir(dir);
  return open(path.join(dir, LOG_FILE), constants.O_RDWR);
}

function parseRecord(json: unknown): LogRecord | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const commit = (json as Record<string, unknown>)['commit-index'];
  if (commit !== undefined) return Number.isSafeInteger(commit) ? { kind: 'commit', index: commit as number } : undefined;
  try {
    return { kind: 'entry', entry: decodeEntry(json) };
  } catch (err) {
    if (err instanceof BadMessage) return undefined;
    throw err;
  }
}

async function writeAll(fh: FileHandle, bytes: Buffer, position: number): Promise<void> {
  // write() may write less than asked; loop until it is all out.
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
