// BROKEN VARIANT: early-ack. Must pass `http-api`, `persistence`,
// `crash-recovery` and `leader-election`, and FAIL `log-replication` at
// "A Deposed Leader's Uncommitted Entries Are Replaced" (or at the
// linearizability check, whichever meets the bug first).
//
// The leader counts an entry as committed as soon as it is on its own disk,
// without waiting for a majority: it applies the write and answers 200 at
// once (the current-term check stays). A leader cut off from the others
// therefore acknowledges writes that the majority never saw; the new leader
// overwrites them, so acknowledged writes vanish, and the old leader, told
// to replace entries it believes committed, refuses and never catches up.
// (A one-node cluster is a majority of itself, so the single-node stages
// pass, and elections are untouched.)

import { runNode } from '../../../../solutions/kv-store/src/lifecycle.js';
import { RaftNode } from '../../../../solutions/kv-store/src/raft.js';

class EarlyAck extends RaftNode {
  protected override storedOnQuorum(): number {
    return this.storedLocally(); // the bug: should be what a majority stored
  }
}

runNode({ raftNode: (options) => new EarlyAck(options) }).catch((err: unknown) => {
  console.error(`fatal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
