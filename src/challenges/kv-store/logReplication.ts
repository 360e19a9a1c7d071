import { faultKindsOf, faultSchedule, GreaterThan, Is, Node, suite } from "../../attest/index.js";
import type { FaultChoice, TestContext } from "../../attest/index.js";

// Stage 5: the leader replicates a log, commits on a majority, and the
// store stays linearizable while leaders crash and the network splits.

/** The upper bound of the randomized election timeout (500–1000 ms). */
const ELECTION_TIMEOUT = 1_000;
/** How often a condition is looked at again while a test waits for it. */
const POLL_MS = 50;
const FAULTS: FaultChoice[] = ["kill-leader", "kill-node", "isolate-leader", "split"];
/** The workload of the last test: long enough for several faults and the elections after them. */
const WORKLOAD_MS = 16_000;

interface Entry {
  index: number;
  term: number;
  command: { op: string; key?: string; value?: string };
}

interface NodeLog {
  entries: Entry[];
  commitIndex: number;
  lastApplied: number;
}

/** A node's GET /log, or why it could not be read. */
async function readLog(t: TestContext, node: string): Promise<NodeLog | string> {
  const res = await t.fetch(node, "/log");
  if (!res) return `${node} did not answer GET /log`;
  if (res.status !== 200) return `${node} answered GET /log with ${res.status}: ${res.body.slice(0, 200)}`;
  try {
    const body = JSON.parse(res.body) as { entries?: unknown; "commit-index"?: unknown; "last-applied"?: unknown };
    if (!Array.isArray(body.entries) || typeof body["commit-index"] !== "number" || typeof body["last-applied"] !== "number") {
      return `${node}'s GET /log is not {"entries": [...], "commit-index": N, "last-applied": N}: ${res.body.slice(0, 200)}`;
    }
    return { entries: body.entries as Entry[], commitIndex: body["commit-index"], lastApplied: body["last-applied"] };
  } catch {
    return `${node}'s GET /log is not JSON: ${res.body.slice(0, 200)}`;
  }
}

const describeCommand = (c: Entry["command"]) => (c.op === "put" ? `put ${c.key}=${c.value}` : c.op === "delete" ? `delete ${c.key}` : c.op);
const isPut = (e: Entry, key: string, value: string) => e.command?.op === "put" && e.command.key === key && e.command.value === value;

/**
 * Waits until `holds` returns undefined (the condition holds) or the
 * deadline passes; then fails with the last reason it gave.
 */
async function waitUntil(t: TestContext, timeoutMs: number, holds: () => Promise<string | undefined>, hint: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let why = await holds();
  while (why !== undefined && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    why = await holds();
  }
  if (why !== undefined) t.fail(`After ${timeoutMs / 1000} s: ${why}`, hint);
}

/** The node that reports itself leader (all nodes agreeing is not required), waiting for an election if needed. */
async function findLeader(t: TestContext, among = t.nodes()): Promise<string> {
  let leader: string | undefined;
  await waitUntil(
    t,
    5 * ELECTION_TIMEOUT,
    async () => {
      for (const node of among) {
        const info = await t.fetch(node, "/cluster/info");
        if (info?.status === 200 && info.json("role") === "leader") {
          leader = node;
          return undefined;
        }
      }
      return `no node among [${among.join(", ")}] reports role "leader" in GET /cluster/info`;
    },
    "A cluster with a majority up and connected must elect a leader within a few election timeouts.",
  );
  return leader!;
}

/** PUTs through the leader; each must be acknowledged. */
async function writeAll(t: TestContext, leader: string, writes: readonly [string, string][], hint: string): Promise<void> {
  for (const [key, value] of writes) {
    await t.PUT(Node(leader), `/kv/${key}`, value).status(Is(200)).hint(hint).run();
  }
}

/** Every write is in the node's log, committed. Undefined when so; else what is missing. */
function missingWrites(node: string, log: NodeLog, writes: readonly [string, string][]): string | undefined {
  for (const [key, value] of writes) {
    const entry = log.entries.find((e) => isPut(e, key, value));
    if (!entry) return `${node}'s log has no entry {"op": "put", "key": "${key}", "value": "${value}"} (it has ${log.entries.length} entries, commit-index ${log.commitIndex})`;
    if (entry.index > log.commitIndex) return `${node} holds put ${key}=${value} at index ${entry.index} but its commit-index is only ${log.commitIndex}`;
  }
  return undefined;
}

/** The first difference between two logs up to `upTo`, or undefined when they agree. */
function firstDifference(a: [string, NodeLog], b: [string, NodeLog], upTo: number): string | undefined {
  const byIndex = (log: NodeLog) => new Map(log.entries.map((e) => [e.index, e]));
  const [left, right] = [byIndex(a[1]), byIndex(b[1])];
  for (let i = 1; i <= upTo; i++) {
    const x = left.get(i);
    const y = right.get(i);
    if (!x || !y) return `${!x ? a[0] : b[0]} has no entry at index ${i} (the other has ${describeCommand((x ?? y)!.command)} in term ${(x ?? y)!.term})`;
    if (x.term !== y.term || JSON.stringify(x.command) !== JSON.stringify(y.command)) {
      return `at index ${i} ${a[0]} has ${describeCommand(x.command)} (term ${x.term}) but ${b[0]} has ${describeCommand(y.command)} (term ${y.term})`;
    }
  }
  return undefined;
}

/** Reads every node's log; fails with the reason when one cannot be read. */
async function logsOf(t: TestContext, nodes: readonly string[]): Promise<[string, NodeLog][] | string> {
  const logs: [string, NodeLog][] = [];
  for (const node of nodes) {
    const log = await readLog(t, node);
    if (typeof log === "string") return log;
    logs.push([node, log]);
  }
  return logs;
}

/** The highest term any node reports in GET /cluster/info. */
async function highestTerm(t: TestContext): Promise<number> {
  let highest = 0;
  for (const node of t.nodes()) {
    const info = await t.fetch(node, "/cluster/info");
    if (info?.status === 200) highest = Math.max(highest, Number(info.json("term")) || 0);
  }
  return highest;
}

const unique = (t: TestContext, prefix: string) => `${prefix}-${Math.floor(t.random() * 1e9).toString(36)}`;

export default suite({ cluster: 5, settle: "3s", needs: ["partition", ...faultKindsOf(FAULTS)], requestTimeout: "3s" })
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
  .test("Linearizable Under Crashes and Partitions", async (t) => {
    await findLeader(t);
    const termBefore = await highestTerm(t);
    const faults = faultSchedule(t.random, { nodes: t.nodes(), durationMs: WORKLOAD_MS, faults: FAULTS, faultMs: [1_500, 3_000], quietMs: [1_500, 2_500] });
    const recording = await t.runWorkload({ clients: 5, durationMs: WORKLOAD_MS, keys: 3, faults, opTimeoutMs: 6_000 });
    if (recording.schedule.length === 0 || recording.nemesis.length < recording.schedule.length) {
      t.fail(`The fault schedule planned ${recording.schedule.length} faults but ${recording.nemesis.length} were recorded as injected.`);
    }
    // The faults must have bitten: a schedule that killed or cut off the leader leaves a later term behind it.
    const leaderFaults = faults.filter((f) => (f.fault.kind === "kill" || f.fault.kind === "isolate") && f.fault.node.kind === "leader").length;
    if (leaderFaults > 0) {
      await findLeader(t);
      const termAfter = await highestTerm(t);
      if (termAfter <= termBefore) {
        t.fail(
          `The schedule killed or isolated the leader ${leaderFaults} time(s), yet the term stayed at ${termBefore}: the faults did not take effect.`,
          "This is clstr's problem, not your server's: the fault mechanism did nothing. Run clstr doctor and report it.",
        );
      }
    }
    if (recording.counts.ok < 50) {
      const reasons = Object.entries(recording.reasons).map(([why, n]) => `${why}: ${n}`).join(", ");
      t.fail(
        `Only ${recording.counts.ok} operations succeeded in ${WORKLOAD_MS / 1000} s under faults (${recording.counts.fail} failed, ${recording.counts.info} unknown${reasons ? `; ${reasons}` : ""}).`,
        "Between faults the cluster must elect a leader within a few election timeouts and serve requests; a write should commit within tens of milliseconds.",
      );
    }
    await t.expectLinearizable(
      recording,
      "A read returned something no order of the operations explains. Look for: a write answered before a majority stored it,\n" +
        "a read served without the read-index heartbeat round or before the new leader's no-op committed, a follower serving reads,\n" +
        "or an entry of an older term committed by counting replicas.",
    );
  });
