import { faultSchedule, Is, Node } from "../../attest/index.js";
import type { FaultChoice, TestContext } from "../../attest/index.js";

// What the Raft stages (log-replication on) check on nodes: their logs,
// their leader and their writes, waiting on conditions with deadlines.

/** The upper bound of the randomized election timeout (500–1000 ms). */
export const ELECTION_TIMEOUT = 1_000;
/** How often a condition is looked at again while a test waits for it. */
const POLL_MS = 50;

export interface Entry {
  index: number;
  term: number;
  command: { op: string; key?: string; value?: string };
}

export interface NodeLog {
  entries: Entry[];
  commitIndex: number;
  lastApplied: number;
}

/** A node's GET /log, or why it could not be read. */
export async function readLog(t: TestContext, node: string): Promise<NodeLog | string> {
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

export const describeCommand = (c: Entry["command"]) => (c.op === "put" ? `put ${c.key}=${c.value}` : c.op === "delete" ? `delete ${c.key}` : c.op);
export const isPut = (e: Entry, key: string, value: string) => e.command?.op === "put" && e.command.key === key && e.command.value === value;

/**
 * Waits until `holds` returns undefined (the condition holds) or the
 * deadline passes; then fails with the last reason it gave.
 */
export async function waitUntil(t: TestContext, timeoutMs: number, holds: () => Promise<string | undefined>, hint: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let why = await holds();
  while (why !== undefined && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    why = await holds();
  }
  if (why !== undefined) t.fail(`After ${timeoutMs / 1000} s: ${why}`, hint);
}

/** The node that reports itself leader (all nodes agreeing is not required), waiting for an election if needed. */
export async function findLeader(t: TestContext, among = t.nodes()): Promise<string> {
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
export async function writeAll(t: TestContext, leader: string, writes: readonly [string, string][], hint: string): Promise<void> {
  for (const [key, value] of writes) {
    await t.PUT(Node(leader), `/kv/${key}`, value).status(Is(200)).hint(hint).run();
  }
}

/** Every write is in the node's log, committed. Undefined when so; else what is missing. */
export function missingWrites(node: string, log: NodeLog, writes: readonly [string, string][]): string | undefined {
  for (const [key, value] of writes) {
    const entry = log.entries.find((e) => isPut(e, key, value));
    if (!entry) return `${node}'s log has no entry {"op": "put", "key": "${key}", "value": "${value}"} (it has ${log.entries.length} entries, commit-index ${log.commitIndex})`;
    if (entry.index > log.commitIndex) return `${node} holds put ${key}=${value} at index ${entry.index} but its commit-index is only ${log.commitIndex}`;
  }
  return undefined;
}

/** The first difference between two logs up to `upTo`, or undefined when they agree. */
export function firstDifference(a: [string, NodeLog], b: [string, NodeLog], upTo: number): string | undefined {
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
export async function logsOf(t: TestContext, nodes: readonly string[]): Promise<[string, NodeLog][] | string> {
  const logs: [string, NodeLog][] = [];
  for (const node of nodes) {
    const log = await readLog(t, node);
    if (typeof log === "string") return log;
    logs.push([node, log]);
  }
  return logs;
}

/** The highest term any node reports in GET /cluster/info. */
export async function highestTerm(t: TestContext): Promise<number> {
  let highest = 0;
  for (const node of t.nodes()) {
    const info = await t.fetch(node, "/cluster/info");
    if (info?.status === 200) highest = Math.max(highest, Number(info.json("term")) || 0);
  }
  return highest;
}

export const unique = (t: TestContext, prefix: string) => `${prefix}-${Math.floor(t.random() * 1e9).toString(36)}`;


/** The faults of the Raft stages' workloads: crashes and partitions, the leader's and any node's. */
export const RAFT_FAULTS: FaultChoice[] = ["kill-leader", "kill-node", "isolate-leader", "split"];

/**
 * Concurrent clients for `durationMs` under a seeded schedule of RAFT_FAULTS;
 * the faults must bite, enough operations must succeed, and the history
 * must be linearizable.
 */
export async function expectLinearizableUnderFaults(t: TestContext, durationMs: number): Promise<void> {
  await findLeader(t);
  const termBefore = await highestTerm(t);
  const faults = faultSchedule(t.random, { nodes: t.nodes(), durationMs, faults: RAFT_FAULTS, faultMs: [1_500, 3_000], quietMs: [1_500, 2_500] });
  const dropsBefore = await t.partitionDrops();
  // A client gives up on an operation after 1 s (its outcome is then unknown) and goes on with another, perhaps on another node:
  // with a longer wait every client would sit in a write at a cut-off leader until the heal, and nobody would read there meanwhile.
  const recording = await t.runWorkload({ clients: 5, durationMs, keys: 3, faults, opTimeoutMs: 1_000 });
  const dropsAfter = await t.partitionDrops();
  if (recording.schedule.length === 0 || recording.nemesis.length < recording.schedule.length) {
    t.fail(`The fault schedule planned ${recording.schedule.length} faults but ${recording.nemesis.length} were recorded as injected.`);
  }
  // The partitions must have bitten, by the mechanism's own count: Raft nodes heartbeat every 100 ms,
  // so a cut that dropped nothing between running nodes did nothing (undefined: this runtime cannot count).
  const partitions = faults.filter((f) => f.fault.kind === "isolate" || f.fault.kind === "split").length;
  if (partitions > 0 && dropsBefore !== undefined && dropsAfter !== undefined && dropsAfter - dropsBefore <= 0) {
    t.fail(
      `The schedule partitioned the cluster ${partitions} time(s), yet the partitions dropped no packets: the faults did not take effect.`,
      "This is clstr's problem, not your server's: the fault mechanism did nothing. Run clstr doctor and report it.",
    );
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
      `Only ${recording.counts.ok} operations succeeded in ${durationMs / 1000} s under faults (${recording.counts.fail} failed, ${recording.counts.info} unknown${reasons ? `; ${reasons}` : ""}).`,
      "Between faults the cluster must elect a leader within a few election timeouts and serve requests; a write should commit within tens of milliseconds.",
    );
  }
  await t.expectLinearizable(
    recording,
    "A read returned something no order of the operations explains. Look for: a write answered before a majority stored it,\n" +
      "a read served without the read-index heartbeat round or before the new leader's no-op committed, a follower serving reads,\n" +
      "or an entry of an older term committed by counting replicas.",
  );
}
