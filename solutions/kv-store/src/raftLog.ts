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
// Entries are consecutive from index 1. Removing a conflicting suffix cuts
// the file back (ftruncate) to where that entry's record began, so the file
// is always exactly the log plus commit markers.
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

import { constants, type FileHandle, mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { BadMessage, decodeEntry, type LogEntry } from './messages.js';
import { decodeRecords, encodeRecord } from './record.js';

const LOG_FILE = 'raft-log';

type DiskOp = { kind: 'write'; bytes: Buffer; at: number; sync: boolean } | { kind: 'truncate'; size: number };

type LogRecord = { kind: 'entry'; entry: LogEntry } | { kind: 'commit'; index: number };

export interface LogRecovery {
  entries: number;
  commitIndex: number;
  droppedBytes: number;
  /** Why the tail was dropped, when it was. */
  problem?: string;
  millis: number;
}

export class RaftLog {
  private readonly entries: LogEntry[];
  /** Byte offset in the file where each entry's record starts (entries[i] at starts[i]). */
  private readonly starts: number[];
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
    private readonly file: FileHandle,
    entries: LogEntry[],
    starts: number[],
    end: number,
    commitIndex: number,
    recovery: LogRecovery,
    private readonly onFailure: (err: Error) => void,
  ) {
    this.entries = entries;
    this.starts = starts;
    this.end = end;
    this.durableIndex = entries.length;
    this.savedCommit = commitIndex;
    this.recovery = recovery;
  }

  /**
   * Loads `dir/raft-log`, dropping a torn last record. `onFailure` is called
   * if a write or fsync ever fails: we then no longer know what is on disk,
   * and the only safe thing left is to stop (a restart recovers).
   */
  static async open(dir: string, onFailure: (err: Error) => void): Promise<RaftLog> {
    const started = performance.now();
    await mkdir(dir, { recursive: true });
    const file = await open(path.join(dir, LOG_FILE), constants.O_RDWR | constants.O_CREAT, 0o644);
    try {
      const contents = await file.readFile();
      const decoded = decodeRecords(contents, parseRecord);
      const entries: LogEntry[] = [];
      const starts: number[] = [];
      let commitIndex = 0;
      let goodBytes = decoded.goodBytes;
      let problem = decoded.problem;
      for (let i = 0; i < decoded.records.length; i++) {
        const r = decoded.records[i]!;
        if (r.kind === 'commit') {
          commitIndex = Math.max(commitIndex, r.index);
        } else if (r.entry.index === entries.length + 1) {
          entries.push(r.entry);
          starts.push(decoded.starts[i]!);
        } else {
          // Only a bug could write this; stop here as for a torn record.
          goodBytes = decoded.starts[i]!;
          problem = `entry ${r.entry.index} out of order after ${entries.length}`;
          break;
        }
      }
      const droppedBytes = contents.length - goodBytes;
      if (droppedBytes > 0) {
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
      commitIndex = Math.min(commitIndex, entries.length);
      const recovery: LogRecovery = {
        entries: entries.length,
        commitIndex,
        droppedBytes,
        millis: Math.round(performance.now() - started),
      };
      if (problem !== undefined && droppedBytes > 0) recovery.problem = problem;
      return new RaftLog(file, entries, starts, goodBytes, commitIndex, recovery, onFailure);
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  get lastIndex(): number {
    return this.entries.length;
  }

  get lastTerm(): number {
    return this.entries.length === 0 ? 0 : this.entries[this.entries.length - 1]!.term;
  }

  /** The term of entry `index`; 0 for index 0; undefined past the end. */
  term(index: number): number | undefined {
    if (index === 0) return 0;
    return this.entries[index - 1]?.term;
  }

  entry(index: number): LogEntry | undefined {
    return this.entries[index - 1];
  }

  /** Entries from `from` through `to`, inclusive. */
  slice(from: number, to: number): LogEntry[] {
    return this.entries.slice(from - 1, to);
  }

  all(): readonly LogEntry[] {
    return this.entries;
  }

  /** The first index of the run of entries with `term` that ends at `index`. */
  firstIndexOfTerm(index: number): number {
    const term = this.term(index);
    let i = index;
    while (i > 1 && this.term(i - 1) === term) i--;
    return i;
  }

  /** The last index holding `term`, or 0 if none does. */
  lastIndexOfTerm(term: number): number {
    for (let i = this.entries.length; i >= 1; i--) {
      const t = this.entries[i - 1]!.term;
      if (t === term) return i;
      if (t < term) return 0; // terms only grow along the log
    }
    return 0;
  }

  /** Appends consecutive entries starting at lastIndex + 1. */
  append(entries: readonly LogEntry[]): void {
    if (entries.length === 0) return;
    const chunks: Buffer[] = [];
    const at = this.end;
    for (const e of entries) {
      if (e.index !== this.entries.length + 1) throw new Error(`BUG: appending entry ${e.index} after ${this.entries.length}`);
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
    if (index > this.entries.length) return;
    const size = this.starts[index - 1]!;
    this.entries.length = index - 1;
    this.starts.length = index - 1;
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
        const batchLast = this.entries.length;
        this.batchCap = Infinity;
        let sync = false;
        try {
          for (const op of batch) {
            if (op.kind === 'truncate') {
              await this.file.truncate(op.size);
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
