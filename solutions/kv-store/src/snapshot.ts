// Snapshots (section 7 of the Raft paper): the key-value map as it was
// after applying entries 1..index, which replaces that prefix of the log.
//
// File in the data directory, one record in the format of record.ts:
//
//   snapshot       {"last-included-index":1500,"last-included-term":4,"members":[...],"data":{"a":"1"}}
//                  (the configuration in effect at last-included-index: "members",
//                  or "old" and "new" while joint; see configuration.ts)
//   snapshot.tmp   a replacement being written; ignored on start
//
// Replaced atomically like raft-state.json: write the temp file, fsync it,
// rename it over the old one, fsync the directory. A crash leaves the old
// snapshot or the new one. The log prefix it covers is discarded only after
// `saveSnapshot` resolves (raft.ts), so no crash can lose an entry.

import { open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { BadMembers, type Configuration, parseFields } from './configuration.js';
import { configFields } from './messages.js';
import { decodeRecords, encodeJsonRecord } from './record.js';

const SNAPSHOT_FILE = 'snapshot';
const SNAPSHOT_TMP = 'snapshot.tmp';

export interface Snapshot {
  /** last-included-index: the last entry the snapshot covers (0: no snapshot). */
  readonly index: number;
  /** last-included-term: the term of that entry. */
  readonly term: number;
  /** The state machine's state as JSON text (for the key-value store, an object of strings). */
  readonly data: string;
  /**
   * The configuration in effect at `index`, so that it is not lost with the
   * entries the snapshot replaces. Undefined only in a snapshot written
   * before configurations existed (the starting one applies).
   */
  readonly config?: Configuration;
}

export const EMPTY_SNAPSHOT: Snapshot = { index: 0, term: 0, data: '{}' };

/** The snapshot in `dir`, or EMPTY_SNAPSHOT if the node never took or installed one. */
export async function loadSnapshot(dir: string): Promise<Snapshot> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(dir, SNAPSHOT_FILE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_SNAPSHOT;
    throw err;
  }
  const decoded = decodeRecords(bytes, parseSnapshot);
  const snapshot = decoded.records[0];
  // The file only ever appears through an fsynced rename: a bad one is real
  // corruption, and the log prefix it replaced is gone. Refuse to start.
  if (snapshot === undefined || decoded.records.length !== 1) throw new Error(`${SNAPSHOT_FILE} is corrupt; refusing to start`);
  return snapshot;
}

export async function saveSnapshot(dir: string, snapshot: Snapshot): Promise<void> {
  const record = encodeJsonRecord(
    `{"last-included-index":${snapshot.index},"last-included-term":${snapshot.term},${configFields(snapshot)}"data":${snapshot.data}}`,
  );
  const tmpPath = path.join(dir, SNAPSHOT_TMP);
  const tmp = await open(tmpPath, 'w', 0o644);
  try {
    await tmp.writeFile(record);
    await tmp.sync();
  } finally {
    await tmp.close();
  }
  await rename(tmpPath, path.join(dir, SNAPSHOT_FILE));
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

function parseSnapshot(json: unknown): Snapshot | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const m = json as Record<string, unknown>;
  const index = m['last-included-index'];
  const term = m['last-included-term'];
  const data = m['data'];
  if (!Number.isSafeInteger(index) || (index as number) < 1 || !Number.isSafeInteger(term) || (term as number) < 0) return undefined;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  let config: Configuration | undefined;
  try {
    config = parseFields(m);
  } catch (err) {
    if (err instanceof BadMembers) return undefined;
    throw err;
  }
  return { index: index as number, term: term as number, data: JSON.stringify(data), ...(config ? { config } : {}) };
}
