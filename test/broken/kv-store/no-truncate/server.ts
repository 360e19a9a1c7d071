// BROKEN VARIANT: no-truncate. Must pass `http-api`, `persistence`,
// `crash-recovery` and `leader-election`, and FAIL `log-replication` at
// "A Deposed Leader's Uncommitted Entries Are Replaced".
//
// A follower compares the leader's entries with its own by index only: an
// index it already holds counts as the same entry, so it keeps its own
// entry and appends only what lies past its end. It never finds a
// conflict, so it never deletes a conflicting suffix. A leader cut off
// from the others appends entries that never commit; back in the cluster,
// after the consistency check has found where its log and the new
// leader's agree, it skips the new leader's entries at those indexes, keeps
// its own, and then takes them as committed (and applies them) when
// leader-commit passes them. (Until a leader is deposed with uncommitted
// entries, every index a follower already holds is the leader's entry, so
// the earlier stages and the first tests of this one pass.)

import type { LogEntry } from '../../../../solutions/kv-store/src/messages.js';
import { runNode } from '../../../../solutions/kv-store/src/lifecycle.js';
import { RaftNode } from '../../../../solutions/kv-store/src/raft.js';

class NoTruncate extends RaftNode {
  protected override conflicts(_ourTerm: number, _entry: LogEntry): boolean {
    return false; // the bug: should compare the terms (ourTerm !== entry.term)
  }
}

runNode({ raftNode: (options) => new NoTruncate(options) }).catch((err: unknown) => {
  console.error(`fatal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
