import { faultKindsOf, Is, Node, suite } from "../../attest/index.js";
import type { TestContext } from "../../attest/index.js";
import { ELECTION_TIMEOUT, expectLinearizableUnderFaults, findLeader, firstDifference, logsOf, RAFT_FAULTS, unique, waitUntil, type NodeLog } from "./raftChecks.js";

// Stage 6: every node snapshots its map every 500 applied entries and drops
// the log before it; a follower that fell behind a snapshot gets it with
// InstallSnapshot; snapshot plus log survive SIGKILL.

/** A node snapshots once it has applied this many entries beyond its last snapshot. */
const THRESHOLD = 500;
/** The log may hold a little more than the threshold: entries applied while a snapshot is being written. */
const MAX_LOG = 550;
/** Clients writing through the leader at once. */
const WRITERS = 10;
const WORKLOAD_MS = 20_000;

interface SnapshotInfo {
  lastIncludedIndex: number;
  lastIncludedTerm: number;
}

async function readSnapshot(t: TestContext, node: string): Promise<SnapshotInfo | string> {
  const res = await t.fetch(node, "/log/snapshot");
  if (!res) return `${node} did not answer GET /log/snapshot`;
  if (res.status !== 200) return `${node} answered GET /log/snapshot with ${res.status}: ${res.body.slice(0, 200)}`;
  try {
    const body = JSON.parse(res.body) as Record<string, unknown>;
    const index = body["last-included-index"];
    const term = body["last-included-term"];
    if (typeof index !== "number" || typeof term !== "number") return `${node}'s GET /log/snapshot is not {"last-included-index": N, "last-included-term": T}: ${res.body.slice(0, 200)}`;
    return { lastIncludedIndex: index, lastIncludedTerm: term };
  } catch {
    return `${node}'s GET /log/snapshot is not JSON: ${res.body.slice(0, 200)}`;
  }
}

/** `count` writes of distinct keys through the leader, WRITERS at a time; every one must be acknowledged. */
async function writeMany(t: TestContext, leader: string, prefix: string, count: number, hint: string): Promise<[string, string][]> {
  const writes: [string, string][] = Array.from({ length: count }, (_, i) => [`${prefix}:${i}`, unique(t, `${prefix}${i}`)]);
  let next = 0;
  const writer = async () => {
    while (next < writes.length) {
      const [key, value] = writes[next++]!;
      const res = await t.send(leader, "PUT", `/kv/${key}`, value);
      if (res?.status !== 200) {
        t.fail(`PUT /kv/${key} to the leader ${leader} answered ${res ? `${res.status}: ${res.body.slice(0, 200)}` : "nothing (no answer in time)"}; expected 200.`, hint);
      }
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
  return writes;
}

/** The bounds every node's log and snapshot must meet once writes stop; undefined when they hold. */
async function boundsBroken(t: TestContext, nodes: readonly string[], leaderCommit: number): Promise<string | undefined> {
  const logs = await logsOf(t, nodes);
  if (typeof logs === "string") return logs;
  for (const [node, log] of logs) {
    const snapshot = await readSnapshot(t, node);
    if (typeof snapshot === "string") return snapshot;
    const why = nodeBoundsBroken(node, log, snapshot, leaderCommit);
    if (why) return why;
  }
  return undefined;
}

function nodeBoundsBroken(node: string, log: NodeLog, snapshot: SnapshotInfo, leaderCommit: number): string | undefined {
  if (log.commitIndex < leaderCommit) return `${node}'s commit-index is ${log.commitIndex}, behind the leader's ${leaderCommit}`;
  if (log.lastApplied !== log.commitIndex) return `${node} has applied up to ${log.lastApplied} of ${log.commitIndex} committed entries`;
  if (snapshot.lastIncludedIndex < log.commitIndex - THRESHOLD) {
    return `${node}'s snapshot covers up to index ${snapshot.lastIncludedIndex}, but it has applied ${log.lastApplied}: more than ${THRESHOLD} entries beyond its snapshot`;
  }
  if (snapshot.lastIncludedTerm < 1) {
    return (
      `${node}'s snapshot reports last-included-term ${snapshot.lastIncludedTerm}; it must be the term of the entry at last-included-index (at least 1).\n` +
      "Once the log before it is gone, that term is what the consistency check at prev-log-index = last-included-index and the vote restriction use"
    );
  }
  if (log.entries.length > MAX_LOG) return `${node}'s GET /log holds ${log.entries.length} entries; after a snapshot it must hold only the entries after it (at most about ${THRESHOLD})`;
  const first = log.entries[0];
  if (first && first.index !== snapshot.lastIncludedIndex + 1) {
    return `${node}'s log starts at index ${first.index}, but its snapshot ends at ${snapshot.lastIncludedIndex}: the log must start right after the snapshot`;
  }
  return undefined;
}

async function commitIndexOf(t: TestContext, node: string): Promise<number> {
  const logs = await logsOf(t, [node]);
  if (typeof logs === "string") return t.fail(logs);
  return logs[0]![1].commitIndex;
}

/** Reads a sample of writes back through `leader`, each with its value. */
async function readBack(t: TestContext, leader: string, writes: readonly [string, string][], hint: string): Promise<void> {
  const step = Math.max(1, Math.floor(writes.length / 25));
  for (let i = 0; i < writes.length; i += step) {
    const [key, value] = writes[i]!;
    await t.GET(Node(leader), `/kv/${key}`).eventually(3 * ELECTION_TIMEOUT).status(Is(200)).body(Is(value)).hint(hint).run();
  }
}

const BOUNDS_HINT =
  `Each node snapshots on its own as soon as it has applied ${THRESHOLD} entries beyond its last snapshot: it writes the map with last-included-index\n` +
  "and last-included-term to DATA_DIR (temporary file, fsync, rename, fsync the directory), then drops the log up to last-included-index;\n" +
  "GET /log then starts at last-included-index + 1.";

export default suite({ cluster: 5, settle: "3s", needs: ["partition", ...faultKindsOf(RAFT_FAULTS)], requestTimeout: "3s" })
  // 1
  .test("The Log Stays Bounded", async (t) => {
    const leader = await findLeader(t);
    const writes = await writeMany(t, leader, "bounded", 1_500, "The leader must commit and acknowledge writes while snapshots are taken: snapshots must not stall the cluster.");
    const leaderCommit = await commitIndexOf(t, leader);
    await waitUntil(t, 5_000, () => boundsBroken(t, t.nodes(), leaderCommit), BOUNDS_HINT);
    await readBack(t, leader, writes, "A value written before a snapshot must read back after it: the snapshot holds the whole map.");
  })

  // 2
  .test("Snapshots Keep Up With Writes", async (t) => {
    const leader = await findLeader(t);
    const before = new Map<string, number>();
    for (const node of t.nodes()) {
      const snapshot = await readSnapshot(t, node);
      if (typeof snapshot === "string") return t.fail(snapshot);
      before.set(node, snapshot.lastIncludedIndex);
    }
    await writeMany(t, leader, "keepup", 600, "The leader must go on acknowledging writes.");
    const leaderCommit = await commitIndexOf(t, leader);
    await waitUntil(
      t,
      5_000,
      async () => {
        for (const node of t.nodes()) {
          const snapshot = await readSnapshot(t, node);
          if (typeof snapshot === "string") return snapshot;
          if (snapshot.lastIncludedIndex <= before.get(node)!) {
            return `${node}'s snapshot is still at index ${snapshot.lastIncludedIndex} after 600 more writes: it must take a new one every ${THRESHOLD} applied entries`;
          }
        }
        return boundsBroken(t, t.nodes(), leaderCommit);
      },
      BOUNDS_HINT,
    );
  })

  // 3
  .test("A Follower Behind the Snapshot Receives It", async (t) => {
    const leader = await findLeader(t);
    const follower = t.nodes().find((n) => n !== leader)!;
    const followerLogs = await logsOf(t, [follower]);
    if (typeof followerLogs === "string") return t.fail(followerLogs);
    const followerLast = Math.max(followerLogs[0]![1].commitIndex, ...followerLogs[0]![1].entries.map((e) => e.index));
    await t.kill(follower);
    const writes = await writeMany(t, leader, "behind", 1_200, `With ${follower} down, the other four are a majority: the leader must still commit and acknowledge writes.`);
    const leaderSnapshot = await readSnapshot(t, leader);
    if (typeof leaderSnapshot === "string") return t.fail(leaderSnapshot);
    if (leaderSnapshot.lastIncludedIndex <= followerLast) {
      t.fail(`After 1,200 writes the leader's snapshot ends at index ${leaderSnapshot.lastIncludedIndex}, not beyond ${follower}'s last entry (${followerLast}).`, BOUNDS_HINT);
    }
    const leaderCommit = await commitIndexOf(t, leader);
    await t.start(follower);
    await waitUntil(
      t,
      10_000,
      async () => {
        const snapshot = await readSnapshot(t, follower);
        if (typeof snapshot === "string") return snapshot;
        if (snapshot.lastIncludedIndex < leaderSnapshot.lastIncludedIndex) {
          return `${follower}'s snapshot ends at index ${snapshot.lastIncludedIndex}; the leader's ended at ${leaderSnapshot.lastIncludedIndex} when ${follower} came back, so only InstallSnapshot can bring it up`;
        }
        const logs = await logsOf(t, [leader, follower]);
        if (typeof logs === "string") return logs;
        const [, mine] = logs[1]!;
        if (mine.commitIndex < leaderCommit) return `${follower}'s commit-index is ${mine.commitIndex}, behind the leader's ${leaderCommit}`;
        return firstDifference(logs[0]!, logs[1]!, 0) ?? entriesDiffer(logs[0]!, logs[1]!);
      },
      `${follower} was down while the leader snapshotted past its log. When nextIndex falls at or below the leader's last-included-index,\n` +
        "the leader must send POST /raft/install-snapshot with the whole map; the follower installs it (map, last-included-index and -term), keeps any\n" +
        "entries after it that match, and takes AppendEntries from there.",
    );
    await t.kill(leader);
    const newLeader = await findLeader(t);
    await readBack(t, newLeader, writes, "Whoever wins the election after the old leader dies must hold every committed write, the restarted follower included.");
    await t.start(leader);
  })

  // 4
  .test("Snapshot and Log Survive Killing Every Node", async (t) => {
    const leader = await findLeader(t);
    const writes = await writeMany(t, leader, "survive", 300, "The leader must acknowledge writes.");
    const all = t.nodes();
    const before = new Map<string, number>();
    for (const node of all) {
      const snapshot = await readSnapshot(t, node);
      if (typeof snapshot === "string") return t.fail(snapshot);
      before.set(node, snapshot.lastIncludedIndex);
    }
    for (const node of all) await t.kill(node);
    for (const node of all) await t.start(node);
    for (const node of all) {
      const snapshot = await readSnapshot(t, node);
      if (typeof snapshot === "string") return t.fail(snapshot);
      if (snapshot.lastIncludedIndex < before.get(node)!) {
        t.fail(
          `${node}'s snapshot ended at index ${before.get(node)} before the kill and at ${snapshot.lastIncludedIndex} after the restart.`,
          "A snapshot, once reported, is on disk: load it on start (before the log after it).",
        );
      }
    }
    const newLeader = await findLeader(t);
    await readBack(
      t,
      newLeader,
      writes,
      "Every node was killed with SIGKILL and restarted: load the snapshot, then apply the committed entries after it (never the log from index 1 over the snapshot).",
    );
  })

  // 5
  .test("Linearizable Under Crashes and Partitions", async (t) => {
    // Every node holds a snapshot before the faults begin, and the workload crosses the threshold again.
    await writeMany(t, await findLeader(t), "before", THRESHOLD + 100, "The leader must acknowledge writes.");
    await expectLinearizableUnderFaults(t, WORKLOAD_MS);
  });

/** The entries both nodes hold after their snapshots must agree (same index, term and command). */
function entriesDiffer(a: [string, NodeLog], b: [string, NodeLog]): string | undefined {
  const theirs = new Map(a[1].entries.map((e) => [e.index, e]));
  for (const e of b[1].entries) {
    if (e.index > a[1].commitIndex) continue;
    const other = theirs.get(e.index);
    if (other && (other.term !== e.term || JSON.stringify(other.command) !== JSON.stringify(e.command))) {
      return `at index ${e.index} ${a[0]} has term ${other.term} but ${b[0]} has term ${e.term}`;
    }
  }
  return undefined;
}
