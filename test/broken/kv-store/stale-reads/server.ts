// BROKEN VARIANT: stale-reads. Must pass `http-api`, `persistence`,
// `crash-recovery` and `leader-election`, and FAIL `log-replication` at
// "Linearizable Under Crashes and Partitions" (a read returns a value that
// a newer leader has already overwritten).
//
// Two mistakes that are each almost harmless alone. A node that believes it
// leads answers GET from its own map at once: no read-index round (no
// heartbeat answered by a majority after the read arrived) and no wait for
// its term's no-op to commit. And a leader steps down only after 1.5 s
// without a majority, not 500 ms: with the 500 ms lease a deposed leader
// stops serving before any other node's election timeout can end, which
// makes the missing round hard to see. With 1.5 s, a leader cut off from
// the others keeps answering reads from its frozen map for up to a second
// after the majority has elected a new leader and committed newer writes.
//
// Test 4 cuts the leader off too, but only writes to it, so it passes. Test
// 6 sees the stale reads only if some client reads from the deposed leader
// while the majority commits: today every client that sends it a write
// waits there until the partition heals (the workload's opTimeoutMs, 6 s,
// outlasts every fault), so within ~100 ms of the cut all five clients are
// parked and nothing is read or written until the heal. With opTimeoutMs
// 1 s the check catches it (seed 17210: three leader isolations, 5 runs of
// 5). Until then test/e2e/logReplication.test.ts marks it todo.

import { runNode } from '../../../../solutions/kv-store/src/lifecycle.js';
import { NotLeader, RaftNode } from '../../../../solutions/kv-store/src/raft.js';

/** How much longer than the reference's 500 ms lease this leader keeps counting an answer. */
const LONGER_LEASE_MS = 1_000;

class StaleReads extends RaftNode {
  override async readBarrier(): Promise<void> {
    // the bug: should confirm leadership with a majority (and wait for its no-op) before reading
    if (!this.isLeader) throw new NotLeader(this.leader);
  }

  protected override hasQuorumContact(now: number): boolean {
    // the bug: an answer counts for 1.5 s; a leader cut off from the others keeps serving long after a new one is elected
    return super.hasQuorumContact(now - LONGER_LEASE_MS);
  }
}

runNode({ raftNode: (options) => new StaleReads(options) }).catch((err: unknown) => {
  console.error(`fatal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
