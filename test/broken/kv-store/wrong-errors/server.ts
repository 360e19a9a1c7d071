// BROKEN VARIANT: wrong-errors. Must FAIL `http-api` (test "GET Rejects
// Missing and Invalid Keys").
//
// Storage is the real, durable one. Only the error contract is wrong: GET of
// a missing key answers 404 with the body `not found` instead of
// `key not found`. Everything else is delegated to the correct handler.

import type { RequestListener } from 'node:http';
import { createHandler, send } from '../../../../solutions/kv-store/src/http.js';
import { runNode } from '../../../../solutions/kv-store/src/lifecycle.js';
import type { Store } from '../../../../solutions/kv-store/src/store.js';

function wrongErrorsHandler(store: Store): RequestListener {
  const correct = createHandler(store);
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (req.method === 'GET' && path.startsWith('/kv/') && path.length > '/kv/'.length) {
      let key: string | undefined;
      try {
        key = decodeURIComponent(path.slice('/kv/'.length));
      } catch {
        key = undefined;
      }
      if (key !== undefined && store.get(key) === undefined) {
        req.resume();
        send(res, 404, 'not found\n'); // the bug: should be `key not found`
        return;
      }
    }
    correct(req, res);
  };
}

runNode({ handler: wrongErrorsHandler }).catch((err: unknown) => {
  console.error(`fatal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
