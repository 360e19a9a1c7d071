// Running one node: configuration from the environment (ADDR, PEERS,
// DATA_DIR, JOIN), recovery, joining the cluster, listening, and a graceful
// shutdown on SIGTERM/SIGINT.

import http, { type RequestListener } from 'node:http';
import path from 'node:path';
import { createClusterHandler, createHandler } from './http.js';
import { parseAddr, PeerClient, sourceAddress } from './peers.js';
import { RaftNode, type RaftOptions } from './raft.js';
import { FileStateStorage, RaftState, type StateStorage } from './raftState.js';
import { RaftLog } from './raftLog.js';
import { loadSnapshot, saveSnapshot } from './snapshot.js';
import { startingConfiguration } from './startingConfiguration.js';
import { type DurableStore, KvStateMachine, ReplicatedStore, type Store } from './store.js';

export interface NodeOptions {
  /** Puts another store in front of the replicated one (used by test variants). */
  wrapStore?: (durable: DurableStore) => Store;
  /** Replaces the key-value HTTP handler (used by test variants). */
  handler?: (store: Store) => RequestListener;
  /** Replaces where the Raft term and vote are kept (used by test variants). */
  raftStorage?: (dataDir: string) => StateStorage;
  /** Builds the Raft node, e.g. a subclass or other options (used by test variants). */
  raftNode?: (options: RaftOptions) => RaftNode;
}

// The harness sends SIGKILL 5 s after SIGTERM. Stop waiting for slow
// requests a bit earlier so the final flush and checkpoint still fit.
const DRAIN_TIMEOUT_MS = 4000;

export async function runNode(options: NodeOptions = {}): Promise<void> {
  // ADDR is also this node's id in the cluster; PEERS lists the others
  // (empty or unset: a cluster of one).
  const addr = process.env.ADDR || '0.0.0.0:8080';
  const { host, port } = parseAddr(addr);
  const peers = (process.env.PEERS ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const dataDir = path.resolve(process.env.DATA_DIR || './data');
  // JOIN=true: a newcomer, in no configuration until the leader adds it.
  const join = process.env.JOIN === 'true' || process.env.JOIN === '1';

  // Before anything else is written to DATA_DIR: an empty one is a first start.
  const starting = await startingConfiguration(dataDir, addr, peers, join);

  // Recover before listening: nobody can reach us (not even /health) until
  // memory matches the disk. The snapshot first: the log starts after it.
  const snapshot = await loadSnapshot(dataDir);
  const raftLog = await RaftLog.open(dataDir, snapshot, (err) => {
    // We no longer know what reached the disk; a restart finds out.
    log(`${err.message}; exiting`);
    process.exit(1);
  });
  const r = raftLog.recovery;
  log(
    `Recovered ${snapshot.index > 0 ? `a snapshot through ${snapshot.index} (term ${snapshot.term}) and ` : ''}` +
      `a log of ${r.entries} entries after it, ${r.commitIndex} known committed` +
      `${r.droppedBytes > 0 ? `, dropped a torn tail of ${r.droppedBytes} bytes (${r.problem ?? ''})` : ''}` +
      `${r.discarded > 0 ? `, dropped ${r.discarded} entries that disagree with the snapshot` : ''} ` +
      `from ${dataDir} in ${r.millis} ms; starting configuration [${starting.config.members.join(', ')}] (${starting.how})`,
  );
  const raftState = await RaftState.open((options.raftStorage ?? ((dir) => new FileStateStorage(dir)))(dataDir));
  const machine = new KvStateMachine();
  const transport = new PeerClient(sourceAddress(host));
  const raft = (options.raftNode ?? ((o) => new RaftNode(o)))({
    id: addr,
    peers,
    configuration: starting.config,
    state: raftState,
    raftLog,
    snapshot,
    saveSnapshot: (s) => saveSnapshot(dataDir, s),
    machine,
    transport,
    log,
  });
  // Before listening: the map is rebuilt from the committed entries, and a
  // cluster of one elects itself and commits the rest of its log here, so
  // its first client request already finds a leader and all its data.
  await raft.start();
  const durable: DurableStore = new ReplicatedStore(raft, machine);
  const store = options.wrapStore ? options.wrapStore(durable) : durable;

  const handler = createClusterHandler(raft, (options.handler ?? createHandler)(store), sourceAddress(host));

  let draining = false;
  const server = http.createServer((req, res) => {
    // While draining, answer what arrives on already-open connections but
    // tell the client not to reuse the connection.
    if (draining) res.setHeader('Connection', 'close');
    handler(req, res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  log(`Listening on ${formatAddr(host, port)}`);

  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (draining) {
      log(`${signal} received again, still shutting down`);
      return;
    }
    draining = true;
    log(`${signal} received, shutting down`);
    // Raft keeps running while requests drain, so that what they wrote (and
    // what a store in front of the log still holds) can commit; closing the
    // store stops it, and the others notice and elect.

    // close() stops accepting and resolves once every connection is gone.
    // Idle keep-alive sockets would hold it open until their timeout, so
    // close them now, and keep doing so as in-flight requests finish.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const sweeper = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => {
      log(`requests still running after ${DRAIN_TIMEOUT_MS} ms, closing their connections`);
      server.closeAllConnections();
    }, DRAIN_TIMEOUT_MS);
    await closed;
    clearInterval(sweeper);
    clearTimeout(deadline);

    try {
      // Writes are already durable when acknowledged; close() finishes
      // the log writes still queued and records the commit index.
      await store.close();
      transport.close();
    } catch (err) {
      log(`closing the store failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    }
    log(`Stopped cleanly with ${durable.size} keys, log through ${raftLog.lastIndex} (snapshot through ${raftLog.snapshotIndex})`);
    process.exit(0);
  };
  process.on('SIGTERM', (s) => void shutdown(s));
  process.on('SIGINT', (s) => void shutdown(s));
}

function formatAddr(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

// console.log writes synchronously to files and pipes on Linux, so a line is
// out before a SIGKILL can swallow it.
function log(line: string): void {
  console.log(line);
}
