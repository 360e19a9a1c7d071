// The HTTP API. It knows nothing about files or Raft: it talks to a
// `Store`, so the same routes and error messages work over any storage. In
// front of it sits the cluster layer (`createClusterHandler`): Raft's
// routes, GET /log, the rule that only the leader serves clients, and the
// leadership check before every read.

import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { handleMembership, MEMBERSHIP_ROUTES } from './clusterChanges.js';
import {
  BadMessage,
  decodeAppendEntries,
  decodeInstallSnapshot,
  decodeRequestVote,
  encodeAppendEntriesReply,
  encodeInstallSnapshotReply,
  encodeRequestVoteReply,
} from './messages.js';
import { NotLeader, OutcomeUnknown, type RaftNode } from './raft.js';
import type { Store } from './store.js';

const KV_PREFIX = '/kv/';

export function createHandler(store: Store): RequestListener {
  return (req, res) => {
    handle(store, req, res).catch((err: unknown) => {
      if (res.headersSent) return res.destroy();
      // Lost leadership before the write was appended, or another entry was
      // committed at its index: it had no effect.
      if (err instanceof NotLeader) return redirect(req, res, err.leader);
      // Appended, but nobody can tell yet whether it will be committed.
      if (err instanceof OutcomeUnknown) return send(res, 500, 'outcome unknown\n');
      // Anything else must never turn into a 200 either; the client can't
      // tell whether the write happened, and neither can we.
      console.error(`${req.method} ${req.url} failed: ${err instanceof Error ? err.message : String(err)}`);
      send(res, 500, 'internal error\n');
    });
  };
}

export function createKvServer(store: Store): http.Server {
  return http.createServer(createHandler(store));
}

async function handle(store: Store, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Always consume the body, even when we are about to reject the request:
  // an unread body would be parsed as the next request on a keep-alive
  // connection.
  const body = await readBody(req);
  const method = req.method ?? 'GET';
  const rawPath = (req.url ?? '/').split('?', 1)[0] ?? '/';

  if (rawPath === '/health') {
    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, 'method not allowed\n');
    // Reaching this code at all means recovery finished: we only listen after it.
    return send(res, 200, 'ok\n');
  }

  if (rawPath === '/clear') {
    if (method !== 'DELETE') return send(res, 405, 'method not allowed\n');
    await store.clear();
    return send(res, 200, '');
  }

  if (rawPath.startsWith(KV_PREFIX)) {
    if (method !== 'GET' && method !== 'PUT' && method !== 'DELETE') {
      return send(res, 405, 'method not allowed\n');
    }
    let key: string;
    try {
      // Clients percent-encode reserved characters; the key is the decoded text.
      key = decodeURIComponent(rawPath.slice(KV_PREFIX.length));
    } catch {
      return send(res, 400, 'invalid key encoding\n');
    }
    if (key === '') return send(res, 400, 'key cannot be empty\n');

    switch (method) {
      case 'GET': {
        const value = store.get(key);
        if (value === undefined) return send(res, 404, 'key not found\n');
        return send(res, 200, value);
      }
      case 'PUT': {
        if (body.length === 0) return send(res, 400, 'value cannot be empty\n');
        // Store the text exactly as sent: no trimming, no length limit.
        await store.put(key, body.toString('utf8'));
        return send(res, 200, '');
      }
      case 'DELETE':
        // Idempotent: deleting a missing key is still a success.
        await store.delete(key);
        return send(res, 200, '');
    }
  }

  return send(res, 404, 'not found\n');
}

/**
 * The cluster's routes, in front of the key-value handler `kv`:
 *
 *   GET  /cluster/info            this node's view: id, role, term, leader, members, joint, peers
 *   POST /cluster/join, /cluster/leave, /cluster/add-server,
 *        /cluster/remove-server, /cluster/config
 *                                 membership changes (clusterChanges.ts)
 *   GET  /log                     this node's log after its snapshot, commit-index and last-applied
 *   GET  /log/snapshot            last-included-index and -term of its snapshot (0 and 0: none)
 *   POST /raft/request-vote       Raft RPCs from the other nodes (JSON)
 *   POST /raft/append-entries
 *   POST /raft/install-snapshot
 *   /kv/{key} and /clear          only the leader serves them; a follower that
 *                                 knows the leader answers 307 with the same
 *                                 path on the leader, a node that knows no
 *                                 leader answers 503. A GET waits for the
 *                                 leader to confirm its leadership first.
 *
 * Everything else (/health, unknown paths) goes straight to `kv`. A node
 * outside the cluster (a newcomer, a removed member) knows no leader for
 * clients (RaftNode.leader), so it answers /kv and /clear with 503.
 * `localAddress` is the IP join and leave send from (see peers.ts).
 */
export function createClusterHandler(raft: RaftNode, kv: RequestListener, localAddress?: string): RequestListener {
  return (req, res) => {
    const rawPath = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (MEMBERSHIP_ROUTES.includes(rawPath)) {
      readBody(req)
        .then((body) => handleMembership(raft, rawPath, body, req, res, localAddress))
        .catch((err: unknown) => {
          console.error(`${req.method} ${req.url} failed: ${err instanceof Error ? err.message : String(err)}`);
          if (!res.headersSent) send(res, 500, 'internal error\n');
          else res.destroy();
        });
      return;
    }
    if (rawPath === '/cluster/info' || rawPath === '/log' || rawPath === '/log/snapshot' || rawPath.startsWith('/raft/')) {
      handleCluster(raft, rawPath, req, res).catch((err: unknown) => {
        console.error(`${req.method} ${req.url} failed: ${err instanceof Error ? err.message : String(err)}`);
        if (!res.headersSent) send(res, 500, 'internal error\n');
        else res.destroy();
      });
      return;
    }
    if (rawPath !== '/clear' && !rawPath.startsWith(KV_PREFIX)) return kv(req, res);
    if (!raft.isLeader) {
      req.resume(); // discard the body, keep the connection usable
      return redirect(req, res, raft.leader);
    }
    if (req.method !== 'GET' || !rawPath.startsWith(KV_PREFIX)) return kv(req, res);
    raft.readBarrier().then(
      () => kv(req, res),
      (err: unknown) => {
        req.resume();
        if (err instanceof NotLeader) return redirect(req, res, err.leader);
        console.error(`${req.method} ${req.url} failed: ${err instanceof Error ? err.message : String(err)}`);
        send(res, 500, 'internal error\n');
      },
    );
  };
}

/** 307 to the leader with the same path and query, untouched (still percent-encoded); 503 if none is known. */
function redirect(req: IncomingMessage, res: ServerResponse, leader: string | null): void {
  if (leader === null) return send(res, 503, 'no leader\n');
  res.setHeader('Location', `http://${leader}${req.url ?? '/'}`);
  send(res, 307, `not the leader; try ${leader}\n`);
}

async function handleCluster(raft: RaftNode, rawPath: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const method = req.method ?? 'GET';

  if (rawPath === '/cluster/info') {
    if (method !== 'GET') return send(res, 405, 'method not allowed\n');
    return sendJson(res, 200, raft.info());
  }
  if (rawPath === '/log') {
    if (method !== 'GET') return send(res, 405, 'method not allowed\n');
    return sendJson(res, 200, raft.logInfo());
  }
  if (rawPath === '/log/snapshot') {
    if (method !== 'GET') return send(res, 405, 'method not allowed\n');
    return sendJson(res, 200, raft.snapshotInfo());
  }

  const rpc =
    rawPath === '/raft/request-vote'
      ? 'vote'
      : rawPath === '/raft/append-entries'
        ? 'append'
        : rawPath === '/raft/install-snapshot'
          ? 'snapshot'
          : undefined;
  if (rpc === undefined) return send(res, 404, 'not found\n');
  if (method !== 'POST') return send(res, 405, 'method not allowed\n');

  let message: unknown;
  try {
    message = JSON.parse(body.toString('utf8'));
  } catch {
    return send(res, 400, 'body must be JSON\n');
  }
  try {
    if (rpc === 'vote') {
      const args = decodeRequestVote(message);
      return sendJson(res, 200, encodeRequestVoteReply(await raft.handleRequestVote(args)));
    }
    if (rpc === 'snapshot') {
      const args = decodeInstallSnapshot(message);
      return sendJson(res, 200, encodeInstallSnapshotReply(await raft.handleInstallSnapshot(args)));
    }
    const args = decodeAppendEntries(message);
    return sendJson(res, 200, encodeAppendEntriesReply(await raft.handleAppendEntries(args)));
  } catch (err) {
    if (err instanceof BadMessage) return send(res, 400, `${err.message}\n`);
    throw err; // e.g. the vote could not be saved: 500, and no vote
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body, 'utf8'),
  });
  res.end(body);
}

export function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body, 'utf8'),
  });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
    // A client that hangs up mid-body never sends 'end'; don't wait forever.
    // (After a normal 'end' this reject is a no-op.)
    req.on('close', () => reject(new Error('request aborted')));
  });
}
