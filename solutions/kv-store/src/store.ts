// Storage: an in-memory map made durable by a write-ahead log (WAL) and an
// occasional snapshot.
//
// Files in the data directory:
//   wal.log        every change since the last checkpoint, one record per line
//   snapshot.dat   the full map as of the last checkpoint ('set' records)
//   snapshot.tmp   a checkpoint being written; deleted on start
//
// The rule that makes this crash-safe: a write is appended to wal.log and
// fsynced *before* it is applied to memory and acknowledged. Whatever the
// client was told, the disk already knows.

import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { applyOp, decodeRecords, encodeRecord, type Op } from './record.js';

/** What the HTTP layer needs from a store. Reads are synchronous: they only touch memory. */
export interface Store {
  get(key: string): string | undefined;
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  clear(): Promise<void>;
  /** Waits for pending writes, leaves everything on disk and releases the files. */
  close(): Promise<void>;
}

export interface RecoveryInfo {
  keys: number;
  snapshotKeys: number;
  walRecords: number;
  /** Bytes cut off the end of the WAL because the last record was torn. */
  droppedBytes: number;
  millis: number;
}

export interface DurableStoreOptions {
  /** Checkpoint once the WAL is at least this big. */
  checkpointBytes?: number;
  log?: (line: string) => void;
}

interface Pending {
  op: Op;
  record: Buffer;
  resolve: () => void;
  reject: (err: Error) => void;
}

const WAL_FILE = 'wal.log';
const SNAPSHOT_FILE = 'snapshot.dat';
const SNAPSHOT_TMP = 'snapshot.tmp';
const DEFAULT_CHECKPOINT_BYTES = 4 * 1024 * 1024;
// Snapshot writes are batched into chunks this big to keep syscalls few
// without building one giant string for a big store.
const SNAPSHOT_CHUNK_BYTES = 1024 * 1024;

export class DurableStore implements Store {
  private readonly map: Map<string, string>;
  private readonly dir: string;
  private readonly wal: FileHandle;
  private walSize: number;
  private readonly checkpointBytes: number;
  private nextCheckpointAt: number;
  private readonly log: (line: string) => void;

  // Group commit: writes queue up here while the writer loop is busy with
  // the previous batch; the loop then takes all of them at once, so one
  // fsync covers many requests.
  private queue: Pending[] = [];
  private writing = false;
  private writerDone: Promise<void> = Promise.resolve();
  private closed = false;
  // After a failed write or fsync we no longer know what is on disk (and
  // the kernel may have dropped the dirty pages), so refuse further writes
  // rather than acknowledge anything we cannot vouch for. A restart
  // recovers from what really reached the disk.
  private failure: Error | undefined;

  readonly recovery: RecoveryInfo;

  private constructor(
    dir: string,
    wal: FileHandle,
    walSize: number,
    map: Map<string, string>,
    recovery: RecoveryInfo,
    opts: DurableStoreOptions,
  ) {
    this.dir = dir;
    this.wal = wal;
    this.walSize = walSize;
    this.map = map;
    this.recovery = recovery;
    this.checkpointBytes = opts.checkpointBytes ?? DEFAULT_CHECKPOINT_BYTES;
    this.nextCheckpointAt = this.checkpointBytes;
    this.log = opts.log ?? (() => {});
  }

  /** Recovers the state in `dir` (snapshot, then WAL replay) and opens the WAL for appending. */
  static async open(dir: string, opts: DurableStoreOptions = {}): Promise<DurableStore> {
    const started = performance.now();
    await mkdir(dir, { recursive: true });
    // A leftover temp file is a checkpoint that crashed before its rename;
    // the snapshot and WAL it was meant to replace are still complete.
    await rm(path.join(dir, SNAPSHOT_TMP), { force: true });

    const map = new Map<string, string>();
    const snapshot = await readIfExists(path.join(dir, SNAPSHOT_FILE));
    if (snapshot !== undefined) {
      const decoded = decodeRecords(snapshot);
      // The snapshot only ever appears through an atomic rename after an
      // fsync, so unlike the WAL it cannot be torn. A bad record means real
      // corruption, and starting with silently missing keys would be worse
      // than not starting.
      if (decoded.problem !== undefined) {
        throw new Error(`${SNAPSHOT_FILE} is corrupt (${decoded.problem}); refusing to start`);
      }
      for (const op of decoded.ops) applyOp(map, op);
    }
    const snapshotKeys = map.size;

    const walPath = path.join(dir, WAL_FILE);
    const walExisted = await exists(walPath);
    // O_RDWR rather than O_APPEND: we write at explicit offsets, which lets
    // us overwrite a torn tail and restart at 0 after a checkpoint.
    const wal = await open(walPath, constants.O_RDWR | constants.O_CREAT, 0o644);
    let walSize: number;
    let walRecords: number;
    let droppedBytes = 0;
    try {
      if (!walExisted) {
        // Make the new directory entry durable, or a crash could lose the
        // whole file even though its contents were fsynced.
        await fsyncDir(dir);
      }
      const contents = await wal.readFile();
      const decoded = decodeRecords(contents);
      for (const op of decoded.ops) applyOp(map, op);
      walRecords = decoded.ops.length;
      walSize = decoded.goodBytes;
      if (decoded.goodBytes < contents.length) {
        // A torn tail is the record that was being appended when we
        // crashed. It was never acknowledged, so dropping it is correct; cut
        // it off so new records don't end up behind garbage.
        droppedBytes = contents.length - decoded.goodBytes;
        opts.log?.(`WAL: ${decoded.problem}; dropping the last ${droppedBytes} bytes`);
        await wal.truncate(decoded.goodBytes);
        await wal.sync();
      }
    } catch (err) {
      await wal.close();
      throw err;
    }

    const recovery: RecoveryInfo = {
      keys: map.size,
      snapshotKeys,
      walRecords,
      droppedBytes,
      millis: Math.round(performance.now() - started),
    };
    return new DurableStore(dir, wal, walSize, map, recovery, opts);
  }

  get(key: string): string | undefined {
    return this.map.get(key);
  }

  get size(): number {
    return this.map.size;
  }

  /** The committed contents; used by wrappers that keep their own view. */
  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }

  put(key: string, value: string): Promise<void> {
    return this.submit({ op: 'set', key, value });
  }

  delete(key: string): Promise<void> {
    return this.submit({ op: 'delete', key });
  }

  clear(): Promise<void> {
    return this.submit({ op: 'clear' });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Everything queued before close() still gets committed.
    await this.writerDone;
    if (this.failure === undefined && this.walSize > 0) {
      // Not needed for safety (the WAL already has everything), but it
      // makes the next start a plain snapshot load.
      try {
        await this.checkpoint();
      } catch (err) {
        this.log(`checkpoint on close failed, the WAL still has everything: ${errorMessage(err)}`);
      }
    }
    await this.wal.close();
  }

  private submit(op: Op): Promise<void> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ op, record: encodeRecord(op), resolve, reject });
      if (!this.writing) {
        this.writing = true;
        this.writerDone = this.writerLoop();
      }
    });
  }

  // The single writer. Only this loop touches the WAL file and mutates the
  // map, so there is no lock to hold across an fsync and a checkpoint sees
  // a map that matches the WAL exactly.
  private async writerLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        await this.commit(batch);
        if (this.failure === undefined && this.walSize >= this.nextCheckpointAt) {
          try {
            await this.checkpoint();
          } catch (err) {
            // Still safe: the WAL was not touched. Try again after it has
            // grown some more instead of on every batch.
            this.log(`checkpoint failed: ${errorMessage(err)}`);
            this.nextCheckpointAt = this.walSize + this.checkpointBytes;
          }
        }
      }
    } finally {
      // Same synchronous step as the empty-queue check above: a submit()
      // can never see `writing === true` after the loop has decided to stop.
      this.writing = false;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    if (this.failure !== undefined) {
      for (const p of batch) p.reject(this.failure);
      return;
    }
    const bytes = batch.length === 1 ? batch[0]!.record : Buffer.concat(batch.map((p) => p.record));
    try {
      await writeAll(this.wal, bytes, this.walSize);
      // fdatasync: the data plus the metadata needed to read it back (the
      // file size); skips the mtime update, which we don't need.
      await this.wal.datasync();
    } catch (err) {
      this.failure = new Error(`WAL write failed: ${errorMessage(err)}`);
      this.log(this.failure.message);
      for (const p of batch) p.reject(this.failure);
      return;
    }
    this.walSize += bytes.length;
    // Apply in log order, then acknowledge. Readers never see a value that
    // is not yet durable.
    for (const p of batch) applyOp(this.map, p.op);
    for (const p of batch) p.resolve();
  }

  /**
   * Writes the whole map to a new snapshot and empties the WAL. Runs inside
   * the writer loop, so no write can slip into the WAL between taking the
   * snapshot and truncating the log; writes arriving meanwhile wait in the
   * queue and go into the fresh WAL.
   */
  private async checkpoint(): Promise<void> {
    const started = performance.now();
    const tmpPath = path.join(this.dir, SNAPSHOT_TMP);
    const tmp = await open(tmpPath, 'w', 0o644);
    try {
      let chunk: Buffer[] = [];
      let chunkBytes = 0;
      let offset = 0;
      for (const [key, value] of this.map) {
        const record = encodeRecord({ op: 'set', key, value });
        chunk.push(record);
        chunkBytes += record.length;
        if (chunkBytes >= SNAPSHOT_CHUNK_BYTES) {
          await writeAll(tmp, Buffer.concat(chunk), offset);
          offset += chunkBytes;
          chunk = [];
          chunkBytes = 0;
        }
      }
      if (chunkBytes > 0) await writeAll(tmp, Buffer.concat(chunk), offset);
      await tmp.sync();
    } finally {
      await tmp.close();
    }
    // Order matters: the new snapshot must be durable under its final name
    // before the WAL loses anything. A crash after the rename but before the
    // truncate replays the old WAL over the new snapshot, which is harmless
    // because replaying set/delete/clear in order is idempotent.
    await rename(tmpPath, path.join(this.dir, SNAPSHOT_FILE));
    await fsyncDir(this.dir);
    const walBytes = this.walSize;
    await this.wal.truncate(0);
    // Reset right away: if the sync below fails, the next append must still
    // start at 0, not leave a hole of zeros at the front of the new WAL.
    this.walSize = 0;
    this.nextCheckpointAt = this.checkpointBytes;
    await this.wal.sync();
    this.log(
      `checkpoint: ${this.map.size} keys to ${SNAPSHOT_FILE}, WAL reset from ${walBytes} bytes ` +
        `(${Math.round(performance.now() - started)} ms)`,
    );
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

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
