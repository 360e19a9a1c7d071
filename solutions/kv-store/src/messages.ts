// The two Raft RPCs, as the rest of the code sees them (camelCase) and as
// they travel between nodes (JSON with hyphenated field names, fixed by the
// challenge so that nodes written in different languages can talk).
//
//   POST /raft/request-vote
//     {"term":3,"candidate-id":"10.0.42.102:8080","last-log-index":0,"last-log-term":0}
//     -> {"term":3,"vote-granted":true}
//
//   POST /raft/append-entries
//     {"term":3,"leader-id":"10.0.42.101:8080","prev-log-index":0,"prev-log-term":0,
//      "entries":[],"leader-commit":0}
//     -> {"term":3,"success":true}
//
// Decoding checks every field: a node must never act on a message it only
// half understood.

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
  /** Always empty in the leader-election stage: these are heartbeats. */
  entries: unknown[];
  leaderCommit: number;
}

export interface AppendEntriesReply {
  term: number;
  success: boolean;
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
  return { term: r.term, success: r.success };
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
  const entries = m['entries'];
  if (!Array.isArray(entries)) throw new BadMessage('"entries" must be an array');
  return {
    term: count(m, 'term'),
    leaderId: text(m, 'leader-id'),
    prevLogIndex: count(m, 'prev-log-index'),
    prevLogTerm: count(m, 'prev-log-term'),
    entries,
    leaderCommit: count(m, 'leader-commit'),
  };
}

export function decodeAppendEntriesReply(body: unknown): AppendEntriesReply {
  const m = object(body);
  return { term: count(m, 'term'), success: flag(m, 'success') };
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
