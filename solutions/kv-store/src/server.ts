// Entry point: `node dist/server.js`. Reads ADDR, PEERS and DATA_DIR,
// recovers, joins the cluster (Raft leader election), serves, shuts down
// cleanly.

import { runNode } from './lifecycle.js';

runNode().catch((err: unknown) => {
  // Failing to recover or to bind ADDR is fatal: better to exit loudly than
  // to serve a store that does not match the disk.
  console.error(`fatal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
