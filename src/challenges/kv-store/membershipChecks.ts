import type { TestContext } from "../../attest/index.js";
import { ELECTION_TIMEOUT, waitUntil, type Entry, type NodeLog } from "./raftChecks.js";

// What the membership stages (membership-changes, joint-consensus) read
// from nodes and ask of them: the configuration a node uses, the
// configuration entries of a log, and changes that are retried until the
// cluster takes them.

/** Both membership stages: five members at first, and three newcomers (n6, n7, n8) to start with JOIN=true. */
export const CLUSTER = 5;
export const SPARES = 3;
export const NAMES = Array.from({ length: CLUSTER + SPARES }, (_, i) => `n${i + 1}`);
/** How long a change may take, a newcomer's catch-up (10 s) included. */
export const CHANGE_MS = 15_000;

/** A plain pause between steps of a test (never standing in for a condition). */
export const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A node's GET /cluster/info, as the membership guides define it. */
export interface ClusterView {
  role: string;
  term: number;
  leader: string | null;
  members: string[];
  joint: { old: string[]; new: string[] } | null;
}

/** The configuration commands of the guides. */
export type ConfigCommand = { op: "config"; members: string[] } | { op: "config"; old: string[]; new: string[] };

const sorted = (xs: readonly string[]) => [...xs].sort();
export const sameSet = (a: readonly string[], b: readonly string[]) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
export const showSet = (xs: readonly string[]) => `[${sorted(xs).join(", ")}]`;

const isList = (x: unknown): x is string[] => Array.isArray(x) && x.every((a) => typeof a === "string");

/** A node's configuration as GET /cluster/info reports it, or why it could not be read. */
export async function readView(t: TestContext, node: string): Promise<ClusterView | string> {
  const res = await t.fetch(node, "/cluster/info");
  if (!res) return `${node} did not answer GET /cluster/info`;
  if (res.status !== 200) return `${node} answered GET /cluster/info with ${res.status}`;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    return `${node}'s GET /cluster/info is not JSON: ${res.body.slice(0, 200)}`;
  }
  if (!isList(body.members)) return `${node}'s GET /cluster/info has no "members" list: ${res.body.slice(0, 300)}`;
  const joint = body.joint as { old?: unknown; new?: unknown } | null | undefined;
  return {
    role: String(body.role),
    term: Number(body.term) || 0,
    leader: typeof body.leader === "string" ? body.leader : null,
    members: body.members,
    joint: joint && isList(joint.old) && isList(joint.new) ? { old: joint.old, new: joint.new } : null,
  };
}

/** The configuration entries of a log, in index order. */
export function configEntries(log: NodeLog): (Entry & { command: ConfigCommand })[] {
  return log.entries.filter((e): e is Entry & { command: ConfigCommand } => e.command?.op === "config");
}

export function describeConfig(c: ConfigCommand): string {
  return "members" in c ? `members ${showSet(c.members)}` : `joint old ${showSet(c.old)} new ${showSet(c.new)}`;
}

/** What a change request came to: the final answer, or why there was none. */
export interface ChangeAnswer {
  status: number;
  body: string;
  /** The node that gave the final answer. */
  node: string;
}

/**
 * POSTs a membership change (join, leave, config) and keeps at it until the
 * cluster answers 200 or the deadline passes: a 307 is followed to the node
 * it names, and 503 (no leader), 409 (another change in progress), 500
 * (outcome unknown) and no answer are asked again after a pause; a change
 * that already happened answers 200 at once. With `others`, a 503 or no
 * answer moves on to the next of them (any member can redirect to the
 * leader; the node first asked may have been removed meanwhile). Returns
 * the last answer, or a string saying what kept it from being made.
 */
export async function askChange(
  t: TestContext,
  node: string,
  path: string,
  body: string | undefined,
  options: { deadlineMs: number; names: readonly string[]; others?: readonly string[] },
): Promise<ChangeAnswer | string> {
  const deadline = Date.now() + options.deadlineMs;
  const rotation = [node, ...(options.others ?? []).filter((n) => n !== node)];
  let turn = 0;
  let target = node;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    const res = await t.send(target, "POST", path, body, { timeoutMs: Math.max(1_000, Math.min(12_000, deadline - Date.now())) });
    if (res?.status === 200) return { status: 200, body: res.body, node: target };
    if (res && (res.status === 307 || res.status === 308)) {
      const named = nodeOfLocation(t, res.location, options.names);
      if (named) {
        target = named;
        continue;
      }
      return `${target} answered POST ${path} with ${res.status} and Location "${res.location}", which names no node of the cluster`;
    }
    if (res && res.status !== 503 && res.status !== 409 && res.status !== 500) {
      return { status: res.status, body: res.body, node: target };
    }
    last = res ? `${target} answered ${res.status}${res.body.trim() ? ` ${res.body.trim().slice(0, 120)}` : ""}` : `${target} did not answer`;
    // A 503 or a redirect target that is down: ask the next node of the rotation, which may know the leader by now.
    if (!res || res.status === 503) target = rotation[++turn % rotation.length]!;
    await wait(100 + Math.floor(t.random() * 100));
  }
  return `POST ${path} to ${node} did not get 200 within ${options.deadlineMs / 1000} s (last: ${last})`;
}

function nodeOfLocation(t: TestContext, location: string, names: readonly string[]): string | undefined {
  const host = location.replace(/^https?:\/\//, "").split("/")[0];
  return names.find((n) => t.address(n) === host);
}

/** The body a change answered 200 with: its members list, or undefined if it has none. */
export function membersOf(answer: ChangeAnswer): string[] | undefined {
  try {
    const body = JSON.parse(answer.body) as { members?: unknown };
    return isList(body.members) ? body.members : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The node every given node's view names as leader (reporting role leader
 * itself), waiting for an election; undefined until one exists.
 */
export async function currentLeader(t: TestContext, among: readonly string[]): Promise<string | undefined> {
  for (const node of among) {
    const view = await readView(t, node);
    if (typeof view !== "string" && view.role === "leader") return node;
  }
  return undefined;
}

/** Waits (up to five election timeouts) for one of `among` to report itself leader. */
export async function awaitLeader(t: TestContext, among: readonly string[]): Promise<string | undefined> {
  const deadline = Date.now() + 5 * ELECTION_TIMEOUT;
  while (Date.now() < deadline) {
    const leader = await currentLeader(t, among);
    if (leader) return leader;
    await wait(50);
  }
  return undefined;
}

/** The addresses of the named nodes. */
export const addresses = (t: TestContext, names: readonly string[]) => names.map((n) => t.address(n));

/** Fails unless the change answered 200 (with `expected` as members, when given). */
export function expectMembers(t: TestContext, answer: ChangeAnswer | string, expected: readonly string[] | undefined, what: string): void {
  if (typeof answer === "string") t.fail(`${what}: ${answer}.`, "A change answers 200 once the configuration that makes it is committed; 503 and 409 are retried by the test.");
  if (answer.status !== 200) t.fail(`${what}: ${answer.node} answered ${answer.status} ${answer.body.trim().slice(0, 200)}.`);
  if (!expected) return;
  const members = membersOf(answer);
  const want = addresses(t, expected);
  if (!members || !sameSet(members, want)) {
    t.fail(`${what} answered 200 with ${answer.body.trim().slice(0, 200)}; expected {"members": ${showSet(want)}}.`, 'The answer lists the members of the new configuration: {"members": [...]}, sorted.');
  }
}

/** Within `ms`, every node in `nodes` reports `members` (names) with no joint configuration. */
export async function everyoneLists(t: TestContext, nodes: readonly string[], members: readonly string[], ms: number): Promise<void> {
  const want = addresses(t, members);
  await waitUntil(
    t,
    ms,
    async () => {
      for (const node of nodes) {
        const view = await readView(t, node);
        if (typeof view === "string") return view;
        if (!sameSet(view.members, want)) return `${node} lists members ${showSet(view.members)}, expected ${showSet(want)}`;
        if (view.joint) return `${node} still reports a joint configuration ${showSet(view.joint.old)} → ${showSet(view.joint.new)}`;
      }
      return undefined;
    },
    "Every node uses the latest configuration in its log: once the change is committed, the leader's next AppendEntries brings it to every member.",
  );
}

/** One of `xs`, chosen by the test's seeded random. */
export function pick<T>(t: TestContext, xs: readonly T[]): T {
  return xs[Math.floor(t.random() * xs.length)]!;
}

/** `xs` in an order chosen by the test's seeded random. */
export function shuffle<T>(t: TestContext, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(t.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
