// BROKEN VARIANT: forgets-vote. Must pass `http-api`, `persistence` and
// `crash-recovery`. Meant to fail `leader-election`, but see CAUTION.
//
// Raft's currentTerm and votedFor are kept in memory only; nothing reaches
// DATA_DIR (the key-value data is still durable). While a node runs,
// elections behave correctly. After a crash it is back at term 0 having
// voted for nobody, so it can grant a second vote in a term where it
// already voted: two candidates can each count it towards a majority, and
// both become leader of the same term.
//
// Which test must catch it: a vote-durability test, "Votes Survive a
// Crash". On a node that cannot win the term being asked about (a
// one-node cluster, or a node cut off from its peers):
//   1. POST /raft/request-vote {"term": T, "candidate-id": A, ...} with T
//      far ahead of the node's term: granted;
//   2. SIGKILL the node and start it again;
//   3. POST /raft/request-vote {"term": T, "candidate-id": B, ...}: must
//      answer "vote-granted": false with a term of at least T.
// This variant grants the second vote and reports term 1 (one node) or 0
// after the restart; the model answer refuses (e.g. {"term":T+1,
// "vote-granted":false}: a one-node cluster re-elects itself on start).
//
// CAUTION: none of the twelve tests of the public leader-election stage
// catches this. The only nodes they restart are leaders, and a restarted
// node hears the current leader's heartbeat (a higher term) before any
// election in an old term could ask for its vote again. Against the public
// suite alone this variant PASSES.

import { runNode } from '../../../../solutions/kv-store/src/lifecycle.js';
import type { PersistentState, StateStorage } from '../../../../solutions/kv-store/src/raftState.js';

class MemoryOnlyStorage implements StateStorage {
  async load(): Promise<PersistentState | undefined> {
    return undefined; // the bug: a restarted node starts over at term 0, no vote
  }

  async save(_state: PersistentState): Promise<void> {
    // the bug: reports "durable" at once, yet nothing is written
  }
}

runNode({ raftStorage: () => new MemoryOnlyStorage() }).catch((err: unknown) => {
  console.error(`fatal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
