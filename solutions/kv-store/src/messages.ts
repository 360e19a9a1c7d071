// The two Raft RPCs and the log entries they carry, as the rest of the code
// sees them (camelCase) and as they travel between nodes (JSON with
// hyphenated field names, fixed by the challenge so that nodes written in
// different languages can talk).
//
//   POST /raft/request-vote
//     {"term":3,"candidate-id":"10.0.42.102:8080","last-log-index":6,"last-log-term":2}
//     -> {"term":3,"vote-granted":true}
//
//   POST /raft/append-entries
//     {"term":3,"leader-id":"10.0.42.101:8080","prev-log-index":6,"prev-log-term":2,
//      "entries":[{"index":7,"term":3,"command":{"op":"put","key":"a","value":"1"}}],
//      "leader-commit":6}
//     -> {"term":3,"success":true}
//     -> {"term":3,"success":false,"conflict-index":5,"conflict-term":2}   (log mismatch)
//
//   POST /raft/install-snapshot
//     {"term":5,"leader-id":"10.0.42.101:8080","last-included-index":1500,"last-included-term":4,
//      "members":["10.0.42.101:8080", ...],"data":{"a":"1","b":"2"}}
//     (while joint, "old" and "new" instead of "members")
//     -> {"term":5}
//
// Decoding checks every field: a node must never act on a message it only
// half understood. The same entry encoding is used on disk (raftLog.ts) and
// in GET /log.

import { BadMembers, type ConfigCommand, parseFields, parseMembers, toFields } from './configuration.js';
import type { Snapshot } from './snapshot.js';

/** What a log entry asks the key-value state machine to do. `noop` is a new leader's first entry. */
export type Command =
  | { op: 'put'; key: string; value: string }
  | { op: 'delete'; key: string }
  | { op: 'clear' }
  | { op: 'noop' }
  | ConfigCommand;

export interface LogEntry {
  index: number;
  term: number;
  command: Command;
}

export interface RequestVoteArgs {
  term: number;
  candidateId: string;
  lastLogIndex: number;
  lastLogTerm: number;
}

export interface RequestVoteReply {
  term: number;
  voteGranted: boolean;
}

export interface AppendEntriesArgs {
  term: number;
  leaderId: string;
  prevLogIndex: number;
  prevLogTerm: number;
  /** Consecutive, starting at prevLogIndex + 1; empty for a heartbeat. */
  entries: LogEntry[];
  leaderCommit: number;
}

export interface AppendEntriesReply {
  term: number;
  success: boolean;
  /** Fast backup hint on a log mismatch (optional on the wire; see raft.ts). */
  conflict?: { index: number; term: number };
}

export interface InstallSnapshotArgs {
  term: number;
  leaderId: string;
  /** The whole snapshot in one request; `data` is the map as JSON object text. */
  snapshot: Snapshot;
}

export interface InstallSnapshotReply {
  term: number;
}

/**
 * The JSON body, composed around the snapshot's data text so that the map
 * (which the leader keeps serialized) is not serialized again per follower.
 */
export function encodeInstallSnapshot(a: InstallSnapshotArgs): string {
  return (
    `{"term":${a.term},"leader-id":${JSON.stringify(a.leaderId)},` +
    `"last-included-index":${a.snapshot.index},"last-included-term":${a.snapshot.term},` +
    `${configFields(a.snapshot)}"data":${a.snapshot.data}}`
  );
}

/** `"members":[...],` (or `"old":[...],"new":[...],`) for a snapshot that records its configuration. */
export function configFields(s: Snapshot): string {
  if (s.config === undefined) return '';
  return Object.entries(toFields(s.config))
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)},`)
    .join('');
}

export function decodeInstallSnapshot(body: unknown): InstallSnapshotArgs {
  const m = object(body);
  const index = count(m, 'last-included-index');
  if (index === 0) throw new BadMessage('"last-included-index" starts at 1');
  const data = m['data'];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new BadMessage('"data" must be a JSON object');
  for (const v of Object.values(data)) {
    if (typeof v !== 'string') throw new BadMessage('every value in "data" must be a string');
  }
  const config = members(() => parseFields(m));
  return {
    term: count(m, 'term'),
    leaderId: text(m, 'leader-id'),
    snapshot: { index, term: count(m, 'last-included-term'), data: JSON.stringify(data), ...(config ? { config } : {}) },
  };
}

export function encodeInstallSnapshotReply(r: InstallSnapshotReply): object {
  return { term: r.term };
}

export function decodeInstallSnapshotReply(body: unknown): InstallSnapshotReply {
  return { term: count(object(body), 'term') };
}

export function encodeRequestVote(a: RequestVoteArgs): object {
  return {
    term: a.term,
    'candidate-id': a.candidateId,
    'last-log-index': a.lastLogIndex,
    'last-log-term': a.lastLogTerm,
  };
}

export function encodeRequestVoteReply(r: RequestVoteReply): object {
  return { term: r.term, 'vote-granted': r.voteGranted };
}

export function encodeAppendEntries(a: AppendEntriesArgs): object {
  return {
    term: a.term,
    'leader-id': a.leaderId,
    'prev-log-index': a.prevLogIndex,
    'prev-log-term': a.prevLogTerm,
    entries: a.entries,
    'leader-commit': a.leaderCommit,
  };
}

export function encodeAppendEntriesReply(r: AppendEntriesReply): object {
  if (r.conflict === undefined) return { term: r.term, success: r.success };
  return { term: r.term, success: r.success, 'conflict-index': r.conflict.index, 'conflict-term': r.conflict.term };
}

/** Thrown for a body that is not the expected message; the HTTP layer answers 400. */
export class BadMessage extends Error {}

export function decodeRequestVote(body: unknown): RequestVoteArgs {
  const m = object(body);
  return {
    term: count(m, 'term'),
    candidateId: text(m, 'candidate-id'),
    lastLogIndex: count(m, 'last-log-index'),
    lastLogTerm: count(m, 'last-log-term'),
  };
}

export function decodeRequestVoteReply(body: unknown): RequestVoteReply {
  const m = object(body);
  return { term: count(m, 'term'), voteGranted: flag(m, 'vote-granted') };
}

export function decodeAppendEntries(body: unknown): AppendEntriesArgs {
  const m = object(body);
  const raw = m['entries'];
  if (!Array.isArray(raw)) throw new BadMessage('"entries" must be an array');
  const prevLogIndex = count(m, 'prev-log-index');
  const entries = raw.map(decodeEntry);
  entries.forEach((e, i) => {
    if (e.index !== prevLogIndex + 1 + i) {
      throw new BadMessage(`entries must be consecutive from prev-log-index + 1 (${prevLogIndex + 1}); entry ${i} has index ${e.index}`);
    }
  });
  return {
    term: count(m, 'term'),
    leaderId: text(m, 'leader-id'),
    prevLogIndex,
    prevLogTerm: count(m, 'prev-log-term'),
    entries,
    leaderCommit: count(m, 'leader-commit'),
  };
}

export function decodeAppendEntriesReply(body: unknown): AppendEntriesReply {
  const m = object(body);
  const reply: AppendEntriesReply = { term: count(m, 'term'), success: flag(m, 'success') };
  // The hint is optional: a follower written by someone else may omit it.
  if (m['conflict-index'] !== undefined && m['conflict-term'] !== undefined) {
    reply.conflict = { index: count(m, 'conflict-index'), term: count(m, 'conflict-term') };
  }
  return reply;
}

/** `{"index":7,"term":3,"command":{...}}`: on the wire, on disk and in GET /log alike. */
export function decodeEntry(body: unknown): LogEntry {
  const m = object(body);
  const index = count(m, 'index');
  if (index === 0) throw new BadMessage('"index" starts at 1');
  return { index, term: count(m, 'term'), command: decodeCommand(m['command']) };
}

export function decodeCommand(body: unknown): Command {
  const m = object(body);
  switch (m['op']) {
    case 'put':
      return { op: 'put', key: text(m, 'key'), value: text(m, 'value') };
    case 'delete':
      return { op: 'delete', key: text(m, 'key') };
    case 'clear':
      return { op: 'clear' };
    case 'noop':
      return { op: 'noop' };
    case 'config':
      // Stored and sent sorted, exactly as the leader appended it.
      if (m['members'] !== undefined) return { op: 'config', members: members(() => parseMembers(m['members'])) };
      return { op: 'config', old: members(() => parseMembers(m['old'], 'old')), new: members(() => parseMembers(m['new'], 'new')) };
    default:
      throw new BadMessage('"command.op" must be one of put, delete, clear, noop, config');
  }
}

/** Runs a parse of members, turning its complaint into a BadMessage. */
function members<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof BadMembers) throw new BadMessage(err.message);
    throw err;
  }
}

function object(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadMessage('expected a JSON object');
  }
  return body as Record<string, unknown>;
}

function count(m: Record<string, unknown>, field: string): number {
  const v = m[field];
  if (!Number.isSafeInteger(v) || (v as number) < 0) {
    throw new BadMessage(`"${field}" must be a non-negative integer`);
  }
  return v as number;
}

function text(m: Record<string, unknown>, field: string): string {
  const v = m[field];
  if (typeof v !== 'string' || v === '') throw new BadMessage(`"${field}" must be a non-empty string`);
  return v;
}

function flag(m: Record<string, unknown>, field: string): boolean {
  const v = m[field];
  if (typeof v !== 'boolean') throw new BadMessage(`"${field}" must be true or false`);
  return v;
}
