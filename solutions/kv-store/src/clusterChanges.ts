// The membership routes (membership-changes and joint-consensus guides):
//
//   POST /cluster/add-server     {"id"}       on the leader: add one member (caught up first)
//   POST /cluster/remove-server  {"id"}       on the leader: remove one member
//   POST /cluster/config         {"members"}  on the leader: any set at once, through a joint configuration
//   POST /cluster/join           {"leader"}   on a node outside the cluster: ask `leader` to add us
//   POST /cluster/leave                       on a member: ask the leader to remove us
//
// The first three answer 200 {"members"} once the new configuration is
// committed, 307 from a follower that knows the leader, 503 when nothing
// changed (no leader, leadership lost before the entry was appended, a
// newcomer that did not catch up), 409 while another change is not
// finished, 400 for a bad body, 500 when the entry was appended and the
// leader lost leadership before it knew the outcome. Join and leave are the
// node-to-node half: they forward to the leader, following 307 and retrying
// 503 for up to 10 s, and answer with what the leader answered.

import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { BadMembers, parseAddress, parseMembers } from './configuration.js';
import { parseAddr } from './peers.js';
import { BadChange, ChangeAbandoned, ChangeInProgress, NotLeader, OutcomeUnknown, type RaftNode } from './raft.js';

export const MEMBERSHIP_ROUTES = ['/cluster/add-server', '/cluster/remove-server', '/cluster/config', '/cluster/join', '/cluster/leave'];

/** How long join and leave keep retrying a leader that answers 503 (or none is known). */
const FORWARD_RETRY_MS = 10_000;
/** One forwarded request: the leader may take 10 s to catch a newcomer up, then commit. */
const FORWARD_TIMEOUT_MS = 20_000;
const RETRY_PAUSE_MS = 200;

interface Answer {
  status: number;
  body: string;
  contentType: string;
  location?: string;
}

export async function handleMembership(
  raft: RaftNode,
  rawPath: string,
  body: Buffer,
  req: IncomingMessage,
  res: ServerResponse,
  localAddress: string | undefined,
): Promise<void> {
  if (req.method !== 'POST') return reply(res, text(405, 'method not allowed\n'));
  let answer: Answer;
  try {
    answer = await route(raft, rawPath, body, req, localAddress);
  } catch (err) {
    answer = failure(err, req);
  }
  reply(res, answer);
}

async function route(raft: RaftNode, rawPath: string, body: Buffer, req: IncomingMessage, localAddress: string | undefined): Promise<Answer> {
  switch (rawPath) {
    case '/cluster/add-server':
      return members(await raft.addServer(parseAddress(field(body, 'id'), 'id')));
    case '/cluster/remove-server':
      return members(await raft.removeServer(parseAddress(field(body, 'id'), 'id')));
    case '/cluster/config':
      return members(await raft.setConfiguration(parseMembers(field(body, 'members'))));
    case '/cluster/join': {
      const leader = parseAddress(field(body, 'leader'), 'leader');
      // Already a member: nothing to ask.
      if (raft.configuration.members.includes(raft.id) && raft.isMember) return members([...raft.configuration.members]);
      return forward(raft, () => leader, '/cluster/add-server', localAddress);
    }
    case '/cluster/leave':
      if (!raft.isMember) return members([...raft.configuration.members]);
      return forward(raft, () => (raft.isLeader ? raft.id : raft.leader), '/cluster/remove-server', localAddress);
    default:
      void req;
      return text(404, 'not found\n');
  }
}

/**
 * Sends {"id": us} to `path` on the leader, following 307 and retrying 503
 * (and unreachable or unknown leaders) until FORWARD_RETRY_MS have passed.
 * Our own leader is asked directly, without HTTP.
 */
async function forward(raft: RaftNode, leader: () => string | null, path: string, localAddress: string | undefined): Promise<Answer> {
  const deadline = performance.now() + FORWARD_RETRY_MS;
  let target: string | null = null;
  let last: Answer = text(503, 'no leader\n');
  for (;;) {
    if (raft.isLeader) {
      try {
        return members(await (path === '/cluster/add-server' ? raft.addServer(raft.id) : raft.removeServer(raft.id)));
      } catch (err) {
        last = failure(err, undefined);
      }
    } else {
      const to = target ?? leader();
      target = null;
      if (to !== null) {
        last = await post(to, path, JSON.stringify({ id: raft.id }), localAddress);
        if (last.status === 307 && last.location !== undefined) {
          target = hostOf(last.location);
          if (target !== null) continue;
        }
      }
    }
    if (last.status !== 503 || performance.now() >= deadline) return last;
    await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
  }
}

/** The host:port of a Location URL. */
function hostOf(location: string): string | null {
  try {
    return new URL(location).host;
  } catch {
    return null;
  }
}

/** One POST to another node; a network failure reads as 503 (nothing we know of changed). */
function post(addr: string, path: string, body: string, localAddress: string | undefined): Promise<Answer> {
  return new Promise((resolve) => {
    let host: string;
    let port: number;
    try {
      ({ host, port } = parseAddr(addr));
    } catch {
      return resolve(text(503, `bad leader address ${addr}\n`));
    }
    const data = Buffer.from(body, 'utf8');
    const req = http.request({
      host,
      port,
      path,
      method: 'POST',
      localAddress,
      headers: { 'Content-Type': 'application/json', 'Content-Length': data.length, Connection: 'close' },
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${FORWARD_TIMEOUT_MS} ms`)), FORWARD_TIMEOUT_MS);
    req.on('error', (err) => {
      clearTimeout(timer);
      resolve(text(503, `could not reach ${addr}: ${err.message}\n`));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => {});
      res.on('end', () => {
        clearTimeout(timer);
        const answer: Answer = {
          status: res.statusCode ?? 500,
          body: Buffer.concat(chunks).toString('utf8'),
          contentType: res.headers['content-type'] ?? 'text/plain; charset=utf-8',
        };
        if (typeof res.headers.location === 'string') answer.location = res.headers.location;
        resolve(answer);
      });
    });
    req.end(data);
  });
}

function failure(err: unknown, req: IncomingMessage | undefined): Answer {
  if (err instanceof BadMembers || err instanceof BadChange) return text(400, `${err.message}\n`);
  if (err instanceof ChangeInProgress) return json(409, { error: err.message });
  if (err instanceof ChangeAbandoned) return text(503, `${err.message}\n`);
  if (err instanceof OutcomeUnknown) return text(500, 'outcome unknown\n');
  if (err instanceof NotLeader) {
    if (err.leader === null || req === undefined) return text(503, 'no leader\n');
    return { ...text(307, `not the leader; try ${err.leader}\n`), location: `http://${err.leader}${req.url ?? '/'}` };
  }
  console.error(`membership change failed: ${err instanceof Error ? err.message : String(err)}`);
  return text(500, 'internal error\n');
}

/** The one field of a JSON object body. */
function field(body: Buffer, name: string): unknown {
  let m: unknown;
  try {
    m = JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadMembers('body must be JSON');
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new BadMembers('body must be a JSON object');
  return (m as Record<string, unknown>)[name];
}

function members(list: string[]): Answer {
  return json(200, { members: list });
}

function json(status: number, value: unknown): Answer {
  return { status, body: JSON.stringify(value), contentType: 'application/json' };
}

function text(status: number, body: string): Answer {
  return { status, body, contentType: 'text/plain; charset=utf-8' };
}

function reply(res: ServerResponse, a: Answer): void {
  const headers: Record<string, string | number> = { 'Content-Type': a.contentType, 'Content-Length': Buffer.byteLength(a.body, 'utf8') };
  if (a.location !== undefined) headers['Location'] = a.location;
  res.writeHead(a.status, headers);
  res.end(a.body);
}
