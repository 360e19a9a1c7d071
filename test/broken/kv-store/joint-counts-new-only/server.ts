// BROKEN VARIANT: joint-counts-new-only. Must pass `http-api` through
// `membership-changes` (single-server changes never make a joint
// configuration), and FAIL `joint-consensus` at test 2, "Decisions Need a
// Majority of Both Configurations": the leader, one member and the newcomer
// n8 are cut off from the three other members, and the leader is asked to
// move to a configuration of just those three. It answers 200 while the
// other three, a majority of the old configuration, elect a leader of their
// own: two leaders, each with a majority of one configuration.
//
// While the configuration is joint, every decision (committing, winning an
// election, the leader's rule to step down after 500 ms without a majority,
// confirming a read) counts only a majority of C_new, the configuration the
// cluster is moving to, instead of a majority of C_old and, separately, of
// C_new. Outside a transition the configuration has one half and this is
// the reference's rule, so nothing else changes.

import type { Configuration } from '../../../../solutions/kv-store/src/configuration.js';
import { runNode } from '../../../../solutions/kv-store/src/lifecycle.js';
import { RaftNode } from '../../../../solutions/kv-store/src/raft.js';

class JointCountsNewOnly extends RaftNode {
  protected override majorities(config: Configuration): Array<readonly string[]> {
    return [config.members]; // the bug: while joint, config.old must agree too (halves(config))
  }
}

runNode({ raftNode: (options) => new JointCountsNewOnly(options) }).catch((err: unknown) => {
  console.error(`fatal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
