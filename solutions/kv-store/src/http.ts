// The HTTP API. It knows nothing about files: it talks to a `Store`, so the
// same routes and error messages work over any storage.

import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { Store } from './store.js';

const KV_PREFIX = '/kv/';

export function createHandler(store: Store): RequestListener {
  return (req, res) => {
    handle(store, req, res).catch((err: unknown) => {
      // A store failure (e.g. fsync error) must never turn into a 200; the
      // client can't tell whether the write happened, and neither can we.
      console.error(`${req.method} ${req.url} failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
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
