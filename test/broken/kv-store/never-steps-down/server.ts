// BROKEN VARIANT: never-steps-down. Must pass `http-api`, `persistence` and
// `crash-recovery`, and FAIL `leader-election` at "Partition Enforces
// Quorum".
//
// A leader never checks whether a majority still answers its heartbeats.
// Cut off on the minority side of a partition, it keeps reporting
// role "leader" forever (and keeps its minority partner following it),
// although the majority side has elected another leader in a higher term.
// Only a message carrying a higher term makes it step down, and across a
// partition none arrives.
//
// The bug only shows if the leader is on the minority side [n1, n2] when
// the partition starts. So that it is every run and not a coin flip,
// election timeouts are staggered by address, still within 500-1000 ms:
// the lowest address times out first. n1 wins the first election; "New
// Leader Elected After Leader Crash" kills it and n2 wins, so n2 leads
// when the partition cuts [n1, n2] off.

import { runNode } from '../../../../solutions/kv-store/src/lifecycle.js';
import { RaftNode } from '../../../../solutions/kv-store/src/raft.js';

class StubbornLeader extends RaftNode {
  protected override hasQuorumContact(): boolean {
    return true; // the bug: should count the peers that answered in the last 500 ms
  }
}

/** 500-590 ms for the lowest address, 600-690 ms for the next, and so on. */
function staggeredTimeout(id: string, peers: readonly string[]): () => number {
  const rank = [id, ...peers].sort().indexOf(id);
  return () => 500 + 100 * rank + Math.random() * 90;
}

runNode({
  raftNode: (options) => new StubbornLeader({ ...options, electionTimeout: staggeredTimeout(options.id, options.peers) }),
}).catch((err: unknown) => {
  console.error(`fatal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
