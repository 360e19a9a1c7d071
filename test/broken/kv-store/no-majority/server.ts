// BROKEN VARIANT: no-majority. Must pass `http-api`, `persistence` and
// `crash-recovery`, and FAIL `leader-election` at "Partition Enforces
// Quorum".
//
// A candidate becomes leader as soon as a single peer grants it a vote (its
// own vote plus one: 2 of 5 instead of 3 of 5), and a leader stays leader
// as long as a single peer answers its heartbeats. Cut off with one other
// node, a minority of two still elects (or keeps) a leader, so the test's
// check that [n1, n2] report no leader fails. (A one-node cluster still
// needs only its own vote, so the single-node stages pass.)
//
// So that the failure is the same on every run, election timeouts are
// staggered by address, still within 500-1000 ms: the lowest address times
// out first. n1 wins the first election, n2 the one after n1 is killed, and
// two candidates never time out together (with 2 votes enough, such a tie
// could make two leaders of one term and fail "Exactly One Leader Per Term"
// first instead).

import { runNode } from '../../../../solutions/kv-store/src/lifecycle.js';
import { RaftNode } from '../../../../solutions/kv-store/src/raft.js';

/** 500-590 ms for the lowest address, 600-690 ms for the next, and so on. */
function staggeredTimeout(id: string, peers: readonly string[]): () => number {
  const rank = [id, ...peers].sort().indexOf(id);
  return () => 500 + 100 * rank + Math.random() * 90;
}

runNode({
  raftNode: (options) =>
    new RaftNode({
      ...options,
      quorum: (clusterSize) => Math.min(clusterSize, 2), // the bug: should be a majority
      electionTimeout: staggeredTimeout(options.id, options.peers),
    }),
}).catch((err: unknown) => {
  console.error(`fatal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
