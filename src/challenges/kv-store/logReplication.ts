import { faultKindsOf, GreaterThan, Is, Node, suite } from "../../attest/index.js";
import {
  describeCommand,
  ELECTION_TIMEOUT,
  expectLinearizableUnderFaults,
  findLeader,
  firstDifference,
  isPut,
  logsOf,
  missingWrites,
  RAFT_FAULTS,
  unique,
  waitUntil,
  writeAll,
} from "./raftChecks.js";

// Stage 5: the leader replicates a log, commits on a majority, and the
// store stays linearizable while leaders crash and the network splits.

/** The workload of the last test: long enough for several faults and the elections after them. */
const WORKLOAD_MS = 16_000;

export default suite({ cluster: 5, settle: "3s", needs: ["partition", ...faultKindsOf(RAFT_FAULTS)], requestTimeout: "3s" })
  // 1
  .test("Writes Replicate to Every Node", async (t) => {
    const leader = await findLeader(t);
    const writes: [string, string][] = [1, 2, 3].map((i) => [`replicated:${i}`, unique(t, `v${i}`)]);
    await writeAll(t, leader, writes, "The leader must accept PUT requests and answer 200 once the entry is committed (stored on a majority) and applied.");

    const nodes = t.nodes();
    await waitUntil(
      t,
      2_000,
      async () => {
        const logs = await logsOf(t, nodes);
        if (typeof logs === "string") return logs;
        for (const [node, log] of logs) {
          const missing = missingWrites(node, log, writes);
          if (missing) return missing;
          if (log.lastApplied > log.commitIndex) return `${node} reports last-applied ${log.lastApplied} above its commit-index ${log.commitIndex}`;
        }
        const upTo = Math.min(...logs.map(([, l]) => l.commitIndex));
        for (const other of logs.slice(1)) {
          const diff = firstDifference(logs[0]!, other, upTo);
          if (diff) return `the committed logs differ: ${diff}`;
        }
        return undefined;
      },
      "Every node must hold the same committed entries (same index, term and command): the leader sends followers the entries they miss in AppendEntries,\n" +
        "followers append them after the prev-log-index/prev-log-term check, and commit-index follows leader-commit.",
    );
  })

  // 2
  .test("Followers Redirect, Leader Reads Its Writes", async (t) => {
    const leader = await findLeader(t);
    const follower = t.nodes().find((n) => n !== leader)!;
    const key = "redirect:read";
    const value = unique(t, "r");
    await writeAll(t, leader, [[key, value]], "The leader must accept PUT requests.");
    await t.GET(Node(follower), `/kv/${key}`)
      .status(Is(307))
      .hint("A follower never serves a read from its own map: it answers 307 with Location: http://<leader><same path>.")
      .run();
    await t.GET(Node(leader), `/kv/${key}`)
      .status(Is(200))
      .body(Is(value))
      .hint("A read on the leader returns the latest acknowledged write (after confirming it still leads: the read-index heartbeat round).")
      .run();
  })

  // 3
  .test("A Follower That Was Down Catches Up", async (t) => {
    const leader = await findLeader(t);
    const follower = t.nodes().find((n) => n !== leader)!;
    await t.kill(follower);
    const writes: [string, string][] = [1, 2, 3, 4, 5].map((i) => [`catchup:${i}`, unique(t, `c${i}`)]);
    await writeAll(t, leader, writes, `With ${follower} down, the other four are a majority: the leader must still commit and acknowledge writes.`);
    await t.start(follower);
    await waitUntil(
      t,
      5_000,
      async () => {
        const logs = await logsOf(t, [leader, follower]);
        if (typeof logs === "string") return logs;
        const missing = missingWrites(follower, logs[1]![1], writes);
        if (missing) return missing;
        return firstDifference(logs[0]!, logs[1]!, logs[1]![1].commitIndex);
      },
      `${follower} was down while the writes were made; once back, the leader must bring its log up to date: after a failed consistency check lower nextIndex\n` +
        "(or use the conflict hint) and resend from there, and the follower must advance commit-index from leader-commit.",
    );
  })

  // 4
  .test("A Deposed Leader's Uncommitted Entries Are Replaced", async (t) => {
    const oldLeader = await findLeader(t);
    const others = t.nodes().filter((n) => n !== oldLeader);
    const oldInfo = await t.fetch(oldLeader, "/cluster/info");
    const oldTerm = Number(oldInfo?.json("term") ?? 0);

    await t.partitionNow([oldLeader], others);
    // Writes sent to the cut-off leader at once, before it notices and steps down; none can commit.
    const lost: [string, string][] = [1, 2, 3].map((i) => [`deposed:${i}`, unique(t, `lost${i}`)]);
    const answers = Promise.all(lost.map(([key, value]) => t.send(oldLeader, "PUT", `/kv/${key}`, value)));

    const newLeader = await findLeader(t, others);
    await t.GET(Node(newLeader), "/cluster/info")
      .status(Is(200))
      .json("term", GreaterThan(oldTerm))
      .hint("The four connected nodes must elect a new leader in a higher term.")
      .run();
    const kept: [string, string][] = [1, 2, 3].map((i) => [`deposed:${i}`, unique(t, `kept${i}`)]);
    await writeAll(t, newLeader, kept, "The new leader, with four of five nodes, must commit and acknowledge writes.");

    // Still cut off, the old leader must not serve a read: the new leader has committed other values since.
    const stale = await t.send(oldLeader, "GET", `/kv/${kept[0]![0]}`);
    if (stale && (stale.status === 200 || stale.status === 404)) {
      t.fail(
        `${oldLeader}, cut off from every other node after a new leader committed ${kept[0]![0]}=${kept[0]![1]}, answered GET /kv/${kept[0]![0]} with ${stale.status}${stale.body.trim() ? ` "${stale.body.trim().slice(0, 80)}"` : ""}: a stale read.`,
        "Before answering a read, the leader confirms it still leads (read index): a heartbeat round that a majority answers in its term, sent after the read arrived.\n" +
          "Cut off, it cannot get one, so it answers 503 (or redirects once it knows the new leader).",
      );
    }


    for (const [i, answer] of (await answers).entries()) {
      if (answer?.status === 200) {
        t.fail(
          `${oldLeader}, cut off from every other node, answered 200 to PUT /kv/${lost[i]![0]}: that write could never reach a majority.`,
          "Answer a write only once its entry is committed: stored on a majority of the whole cluster (3 of 5), counting only nodes that acknowledged it.",
        );
      }
    }

    await t.heal();
    await waitUntil(
      t,
      5_000,
      async () => {
        const logs = await logsOf(t, [newLeader, oldLeader]);
        if (typeof logs === "string") return logs;
        const [, old] = logs[1]!;
        const stale = old.entries.find((e) => lost.some(([key, value]) => isPut(e, key, value)));
        if (stale) return `${oldLeader} still holds its uncommitted ${describeCommand(stale.command)} at index ${stale.index} (term ${stale.term})`;
        const missing = missingWrites(oldLeader, old, kept);
        if (missing) return missing;
        return firstDifference(logs[0]!, logs[1]!, old.commitIndex);
      },
      `${oldLeader} led alone in the minority, so its new entries never committed. Back in the cluster it must learn the higher term, become a follower,\n` +
        "fail the consistency check at those entries, delete the conflicting entry and everything after it, and take the new leader's entries.",
    );
    // The old leader may come back with a higher term (it kept starting elections alone) and cause one more election.
    const current = await findLeader(t);
    for (const [key, value] of kept) {
      await t.GET(Node(current), `/kv/${key}`).status(Is(200)).body(Is(value)).hint("Reads return the writes the new leader committed.").run();
    }
  })

  // 5
  .test("Committed Writes Survive Killing Every Node", async (t) => {
    const leader = await findLeader(t);
    const writes: [string, string][] = [1, 2, 3].map((i) => [`survive:${i}`, unique(t, `s${i}`)]);
    await writeAll(t, leader, writes, "The leader must accept PUT requests.");
    const all = t.nodes();
    for (const node of all) await t.kill(node);
    for (const node of all) await t.start(node);
    const newLeader = await findLeader(t);
    for (const [key, value] of writes) {
      await t.GET(Node(newLeader), `/kv/${key}`)
        .eventually(3 * ELECTION_TIMEOUT)
        .status(Is(200))
        .body(Is(value))
        .hint(
          "Every node was killed with SIGKILL and restarted: an acknowledged write must still be there.\n" +
            "fsync each entry before counting it (follower: before success; leader: before counting itself), load the log on start,\n" +
            "and rebuild the map from the committed entries.",
        )
        .run();
    }
  })

  // 6
  .test("Linearizable Under Crashes and Partitions", (t) => expectLinearizableUnderFaults(t, WORKLOAD_MS));
