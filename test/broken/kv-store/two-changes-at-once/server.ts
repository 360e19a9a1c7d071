// BROKEN VARIANT: two-changes-at-once. Must pass `http-api` through
// `log-compaction` (nobody changes the membership there), and FAIL
// `membership-changes` at test 2, "One Change at a Time": n7 is told to join
// at the same moment as a follower is told to leave, and the leader's log
// then holds one configuration entry that adds n7 and removes the follower.
//
// Instead of refusing a change that arrives while another is unfinished
// (409), the leader gathers the changes that arrive within 500 ms of the
// first one and makes them together, in one configuration entry: fewer
// entries, one commit round instead of two, and nobody has to retry. Both
// requests answer 200 and every node ends with the right members; what is
// wrong is the step between. With five members going to six minus one, a
// majority of the old configuration and one of the new need not share a
// member (two added: 3 of the old 5 and 4 of the new 7 can be disjoint), so
// two leaders could be elected in one term. The test does not need to make
// that happen: it checks that every configuration entry changes exactly one
// member.

import { runNode } from '../../../../solutions/kv-store/src/lifecycle.js';
import { RaftNode } from '../../../../solutions/kv-store/src/raft.js';

/** How long the first change waits for others to go with it. */
const GATHER_MS = 500;

type Edit = (members: readonly string[]) => string[];

class TwoChangesAtOnce extends RaftNode {
  private gathering: { edits: Edit[]; done: Promise<string[]> } | undefined;

  protected override changeMembers(edit: Edit, how: 'single' | 'joint'): Promise<string[]> {
    // the bug: should go straight to super.changeMembers, which answers 409 while another change is unfinished
    if (this.gathering !== undefined) {
      this.gathering.edits.push(edit);
      return this.gathering.done;
    }
    const edits = [edit];
    const done = new Promise<void>((resolve) => setTimeout(resolve, GATHER_MS)).then(() => {
      this.gathering = undefined;
      // One entry for all of them: each edit applied to what the previous one made.
      return super.changeMembers((members) => edits.reduce<string[]>((m, e) => e(m), [...members]), how);
    });
    this.gathering = { edits, done };
    return done;
  }
}

runNode({ raftNode: (options) => new TwoChangesAtOnce(options) }).catch((err: unknown) => {
  console.error(`fatal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
