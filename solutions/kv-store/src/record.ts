// The on-disk record format of the Raft log (raftLog.ts).
//
// One record per line:
//
//     <crc32 as 8 lowercase hex digits> <space> <JSON object> \n
//
// e.g. `3f1c0a9e {"index":7,"term":3,"command":{"op":"delete","key":"a"}}`
//
// JSON escapes newlines inside values, so a raw '\n' byte can only ever be a
// record terminator. That makes every record self-delimiting: a crash in the
// middle of an append leaves a last line without its '\n' (or with a bad
// checksum), and replay can tell exactly where the good data ends. The
// checksum also catches a record whose length is right but whose bytes are
// not (e.g. a page that never made it to disk). Being text, the files can be
// read with `less` while debugging.

const NEWLINE = 0x0a;
const SPACE = 0x20;
const CRC_HEX_LEN = 8;

export function encodeRecord(value: object): Buffer {
  return encodeJsonRecord(JSON.stringify(value));
}

/** A record from JSON text already made (e.g. composed around a large pre-serialized value). */
export function encodeJsonRecord(text: string): Buffer {
  const json = Buffer.from(text, 'utf8');
  const header = Buffer.from(crc32(json).toString(16).padStart(CRC_HEX_LEN, '0') + ' ', 'latin1');
  return Buffer.concat([header, json, Buffer.from([NEWLINE])]);
}

export interface Decoded<T> {
  records: T[];
  /** Where each record starts in the buffer. */
  starts: number[];
  /** Length of the prefix made of complete, valid records. */
  goodBytes: number;
  /** Why decoding stopped early, if it did. */
  problem?: string;
}

/**
 * Decodes records from the start of `buf` and stops at the first one that is
 * incomplete, fails its checksum, or that `parse` rejects (returns
 * undefined). Everything from `goodBytes` on was never acknowledged (we only
 * answer after a record is complete and fsynced), so the caller may drop it.
 */
export function decodeRecords<T>(buf: Buffer, parse: (json: unknown) => T | undefined): Decoded<T> {
  const records: T[] = [];
  const starts: number[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const end = buf.indexOf(NEWLINE, pos);
    if (end === -1) {
      return { records, starts, goodBytes: pos, problem: `incomplete record at byte ${pos}` };
    }
    const json = decodeLine(buf.subarray(pos, end));
    const record = json === undefined ? undefined : parse(json);
    if (record === undefined) {
      return { records, starts, goodBytes: pos, problem: `invalid record at byte ${pos}` };
    }
    records.push(record);
    starts.push(pos);
    pos = end + 1;
  }
  return { records, starts, goodBytes: pos };
}

function decodeLine(line: Buffer): unknown {
  if (line.length < CRC_HEX_LEN + 2 || line[CRC_HEX_LEN] !== SPACE) return undefined;
  const hex = line.toString('latin1', 0, CRC_HEX_LEN);
  if (!/^[0-9a-f]{8}$/.test(hex)) return undefined;
  const json = line.subarray(CRC_HEX_LEN + 1);
  if (crc32(json) !== parseInt(hex, 16)) return undefined;
  try {
    return JSON.parse(json.toString('utf8'));
  } catch {
    return undefined;
  }
}

// CRC-32 (IEEE 802.3, the one zip and PNG use). A few lines of table-driven
// code so that the format does not depend on a particular Node version.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
