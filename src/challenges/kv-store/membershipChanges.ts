import { Delay, faultKindsOf, Is, Node, suite } from "../../attest/index.js";
import type { ScheduledFault, TestContext } from "../../attest/index.js";
import {
  addresses,
  askChange,
  awaitLeader,
  CHANGE_MS,
  currentLeader,
  CLUSTER,
  configEntries,
  describeConfig,
  everyoneLists,
  expectMembers,
  NAMES,
  pick,
  readView,
  sameSet,
  shuffle,
  showSet,
  SPARES,
  wait,
  type ChangeAnswer,
} from "./membershipChecks.js";
import {
  ELECTION_TIMEOUT,
  findLeader,
  highestTerm,
  logsOf,
  missingWrites,
  readLog,
  unique,
  waitUntil,
  writeAll,
  type NodeLog,
} from "./raftChecks.js";

// Stage 7: the cluster changes its membership one server at a time while
// it serves: newcomers (started with JOIN=true) join and catch up as
// learners before they count, members leave (the leader too), and the
// store stays linearizable while it happens.

const WORKLOAD_MS = 12_000;
/** A write while the slow newcomer catches up: far below the 1.6 s it would take if the newcomer counted, with room for a busy machine. */
const WRITE_LIMIT_MS = 700;

/** Nodes removed from the cluster in one test and stopped in a later one. */
const removed: string[] = [];

export default suite({ cluster: CLUSTER, spares: SPARES, settle: "3s", needs: ["partition", ...faultKindsOf(["kill-leader"])], requestTimeout: "3s" })
  // 1
  .test("A New Node Joins and Catches Up", async (t) => {
    const leader = await findLeader(t);
    const before: [string, string][] = [1, 2, 3].map((i) => [`join:${i}`, unique(t, `j${i}`)]);
    await writeAll(t, leader, before, "The leader must accept PUT requests and answer 200 once the entry is committed.");

    await t.start("n6");
    const early = await t.send("n6", "GET", `/kv/${before[0]![0]}`);
    if (early?.status !== 503) {
      t.fail(
        `n6, started with JOIN=true and told nothing yet, answered GET /kv/${before[0]![0]} with ${early ? early.status : "no answer"} instead of 503.`,
        "A newcomer belongs to no configuration: it knows no leader, so it answers client requests with 503, and it never starts an election.",
      );
    }
    await neverLeads(t, "n6", ELECTION_TIMEOUT + 200);

    const expected = ["n1", "n2", "n3", "n4", "n5", "n6"];
    const answer = await join(t, "n6", leader);
    expectMembers(t, answer, expected, `POST /cluster/join to n6 naming ${t.address(leader)}`);
    await everyoneLists(t, expected, expected, 3_000);

    await waitUntil(
      t,
      3_000,
      async () => {
        const current = (await awaitLeader(t, t.nodes())) ?? leader;
        const logs = await logsOf(t, [current, "n6"]);
        if (typeof logs === "string") return logs;
        const [leaderLog, newcomer] = [logs[0]![1], logs[1]![1]];
        if (!configEntries(leaderLog).some((e) => "members" in e.command && sameSet(e.command.members, addresses(t, expected)))) {
          return `${current}'s log has no configuration entry {"op": "config", "members": ${showSet(addresses(t, expected))}}`;
        }
        return missingWrites("n6", newcomer, before) ?? sameEntries(current, leaderLog, "n6", newcomer, newcomer.commitIndex);
      },
      "The leader replicates its whole log to the newcomer (as a learner, before it counts), and the configuration with it is an ordinary log entry.",
    );
    const after = await findLeader(t);
    const later: [string, string] = ["join:after", unique(t, "after")];
    await writeAll(t, after, [later], "Writes go on after the join.");
    await waitUntil(
      t,
      2_000,
      async () => {
        const log = await readLog(t, "n6");
        return typeof log === "string" ? log : missingWrites("n6", log, [later]);
      },
      "n6 is a member now: every new entry is replicated to it and committed with it counted.",
    );
  })

  // 2
  .test("One Change at a Time", async (t) => {
    const leader = await findLeader(t);
    const initial = addresses(t, NAMES.slice(0, CLUSTER));
    const leaving = pick(t, t.nodes().filter((n) => n !== leader && n !== "n6"));
    await t.start("n7");
    const [joined, left] = await Promise.all([join(t, "n7", leader), leave(t, leaving)]);
    const expected = ["n1", "n2", "n3", "n4", "n5", "n6", "n7"].filter((n) => n !== leaving);
    expectMembers(t, joined, undefined, "POST /cluster/join to n7");
    expectMembers(t, left, undefined, `POST /cluster/leave to ${leaving}`);
    await everyoneLists(t, expected, expected, 3_000);

    const current = await findLeader(t, expected);
    const log = await readLog(t, current);
    if (typeof log === "string") return t.fail(log);
    const twoAtOnce = firstDoubleChange(log, initial);
    if (twoAtOnce) {
      t.fail(
        `${current}'s log: ${twoAtOnce}`,
        "Each change adds or removes exactly one member, so that any majority of the old configuration overlaps any majority of the new one.\n" +
          "A change that arrives while another is unfinished gets 409 (the test retries it); never merge two into one entry.",
      );
    }
    await waitUntil(
      t,
      3_000,
      async () => {
        const view = await readView(t, leaving);
        if (typeof view === "string") return view;
        return view.members.includes(t.address(leaving)) ? `${leaving}, which left, still lists itself in members ${showSet(view.members)}` : undefined;
      },
      "The leader keeps replicating to a node it removes until that node holds the configuration without it and knows it is committed.",
    );
    removed.push(leaving);
  })

  // 3
  .test("A Removed Leader Steps Down", async (t) => {
    const leader = await findLeader(t);
    const view = await readView(t, leader);
    if (typeof view === "string") return t.fail(view);
    const remaining = NAMES.filter((n) => view.members.includes(t.address(n)) && n !== leader);
    const answer = await leave(t, leader);
    expectMembers(t, answer, remaining, `POST /cluster/leave to the leader ${leader}`);

    let successor: string | undefined;
    await waitUntil(
      t,
      3_000,
      async () => {
        const old = await readView(t, leader);
        if (typeof old === "string") return old;
        if (old.role === "leader") return `${leader} was removed from the configuration but still reports role "leader" (term ${old.term})`;
        successor = await awaitLeader(t, remaining);
        if (!successor) return `none of ${remaining.join(", ")} reports role "leader"`;
        return undefined;
      },
      "A leader that removes itself leads until the configuration without it is committed, then steps down and never starts an election;\n" +
        "the remaining members elect one of themselves.",
    );
    await everyoneLists(t, remaining, remaining, 3_000);
    await writeAll(t, successor!, [["leave:after", unique(t, "after")]], "The new leader of the remaining members must commit writes.");
    removed.push(leader);
    for (const node of removed.splice(0)) await t.stop(node);
  })

  // 4
  .test("A Newcomer Does Not Count Until It Has Caught Up", async (t) => {
    const leader = await findLeader(t);
    const view = await readView(t, leader);
    if (typeof view === "string") return t.fail(view);
    const members = NAMES.filter((n) => view.members.includes(t.address(n)));
    if (members.length !== 5) t.fail(`Expected five members after the previous tests, ${leader} lists ${showSet(view.members)}.`);
    const followers = shuffle(t, members.filter((n) => n !== leader));
    const [kept, cut] = [followers.slice(0, 2), followers.slice(2)];

    await t.start("n8");
    await t.impair(Node("n8"), Delay(800));
    await t.partitionNow([leader, ...kept, "n8"], cut);
    const joining = join(t, "n8", leader);

    // Until n8's first two round trips are over it cannot have caught up; meanwhile it must not be one of the majority.
    const until = Date.now() + 1_400;
    let [n, acknowledged, target] = [0, 0, leader];
    while (Date.now() < until) {
      const key = `learner:${++n}`;
      const started = Date.now();
      const res = await t.send(target, "PUT", `/kv/${key}`, unique(t, "l"), { timeoutMs: 3_000 });
      const took = Date.now() - started;
      if (res && (res.status === 503 || res.status === 307)) {
        // Nothing happened: on a busy machine the side's leader may have changed meanwhile (it still holds a majority of five). Ask whoever leads now.
        target = (await currentLeader(t, [leader, ...kept])) ?? target;
        await wait(50);
        continue;
      }
      if (res?.status !== 200 || took > WRITE_LIMIT_MS) {
        t.fail(
          `With ${cut.join(" and ")} cut off, ${leader}, ${kept.join(" and ")} are exactly a majority of five. While n8 (every packet it sends delayed by 800 ms) ` +
            `was still catching up, PUT /kv/${key} to ${target} ${res ? `answered ${res.status}` : "got no answer"} after ${took} ms (limit ${WRITE_LIMIT_MS} ms).`,
          "A newcomer is a learner until its log holds every entry up to the commit index the leader had when it was added:\n" +
            "it receives entries but counts for nothing. Adding it to the configuration at once makes every commit wait for the slowest, emptiest node.",
        );
      }
      acknowledged++;
      await wait(50);
    }
    if (acknowledged === 0) {
      t.fail(
        `In the 1.4 s while n8 caught up, no write through ${leader}'s side (${[leader, ...kept].join(", ")}, a majority of five) answered 200: every one found no leader.`,
        "The side with a majority keeps its leader (or elects one within an election timeout) whatever the newcomer does: a learner neither votes nor counts.",
      );
    }
    if ((await t.healNow()) === 0) {
      t.fail(`The partition of ${cut.join(" and ")} from the others dropped no packet: it did not take effect.`, "This is clstr's problem, not your server's: the fault mechanism did nothing. Run clstr doctor and report it.");
    }
    await t.repair(Node("n8"));
    const answer = await joining;
    const expected = [...members, "n8"];
    expectMembers(t, answer, expected, "POST /cluster/join to n8");
    await everyoneLists(t, expected, expected, 3_000);
  }, { needs: ["delay"] })

  // 5
  .test("Linearizable While Membership Changes", async (t) => {
    const leader = await findLeader(t);
    const termBefore = await highestTerm(t);
    const view = await readView(t, leader);
    if (typeof view === "string") return t.fail(view);
    const members = NAMES.filter((n) => view.members.includes(t.address(n)));
    const kill: ScheduledFault = { atMs: 5_000 + Math.floor(t.random() * 2_000), forMs: 2_000, fault: { kind: "kill", node: { kind: "leader" }, signal: "SIGKILL" } };
    const problems: string[] = [];
    const changes = churn(t, members, WORKLOAD_MS - 1_500, problems);
    const [recording, made] = await Promise.all([t.runWorkload({ clients: 5, durationMs: WORKLOAD_MS, keys: 3, faults: [kill], opTimeoutMs: 1_000 }), changes]);
    if (problems.length > 0) {
      t.fail(
        `Of the ${made + problems.length} membership changes asked for during the workload, ${problems.length} were never made: ${problems.join("; ")}.`,
        "A leave or join must eventually be made once a leader exists: retried 503/409 answers aside, the leader appends the change, commits it and answers 200.",
      );
    }
    if (made < 2) t.fail(`Only ${made} membership changes were made in ${WORKLOAD_MS / 1000} s; each should take well under a second.`);
    await findLeader(t);
    if ((await highestTerm(t)) <= termBefore) {
      t.fail(
        `The leader was killed with SIGKILL during the workload, yet the term stayed at ${termBefore}: the fault did not take effect.`,
        "This is clstr's problem, not your server's: the fault mechanism did nothing. Run clstr doctor and report it.",
      );
    }
    if (recording.counts.ok < 50) {
      t.fail(`Only ${recording.counts.ok} operations succeeded in ${WORKLOAD_MS / 1000} s while membership changed (${recording.counts.info} unknown).`);
    }
    await t.expectLinearizable(
      recording,
      "A read returned something no order of the operations explains. Look for: a node counting the old configuration after the new one\n" +
        "was in its log, a removed node still serving reads, a newcomer counted before it caught up, or two changes in flight at once.",
    );
  });

/**
 * Removes a follower and lets it join again, over and over until `forMs`
 * has passed, one change at a time, each marked in the history. Returns how
 * many changes were made; what kept one from being made goes in `problems`.
 */
async function churn(t: TestContext, members: readonly string[], forMs: number, problems: string[]): Promise<number> {
  const until = Date.now() + forMs;
  let made = 0;
  /** One change, marked in the history from its request to its answer; false (with the problem noted) when it was not made. */
  const change = async (f: "leave" | "join", node: string, ask: () => Promise<ChangeAnswer | string>) => {
    const end = t.change(f, t.address(node), [node]);
    const answer = await ask();
    end(f === "leave" ? "left" : "joined");
    if (typeof answer !== "string" && answer.status === 200) {
      made++;
      await wait(300 + Math.floor(t.random() * 500));
      return true;
    }
    problems.push(`${f} ${node}: ${typeof answer === "string" ? answer : `${answer.node} answered ${answer.status} ${answer.body.slice(0, 100)}`}`);
    return false;
  };
  await wait(500);
  while (Date.now() < until && problems.length === 0) {
    const leader = (await awaitLeader(t, members)) ?? members[0]!;
    const node = pick(t, members.filter((n) => n !== leader));
    if (!(await change("leave", node, () => leave(t, node)))) break;
    const current = (await awaitLeader(t, members.filter((n) => n !== node))) ?? leader;
    if (!(await change("join", node, () => join(t, node, current)))) break;
  }
  return made;
}

function join(t: TestContext, node: string, leader: string): Promise<ChangeAnswer | string> {
  return askChange(t, node, "/cluster/join", JSON.stringify({ leader: t.address(leader) }), { deadlineMs: CHANGE_MS, names: NAMES });
}

function leave(t: TestContext, node: string): Promise<ChangeAnswer | string> {
  return askChange(t, node, "/cluster/leave", undefined, { deadlineMs: CHANGE_MS, names: NAMES });
}

/** For `ms`, the node never reports itself leader. */
async function neverLeads(t: TestContext, node: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const view = await readView(t, node);
    if (typeof view !== "string" && view.role !== "follower") {
      t.fail(
        `${node}, started with JOIN=true and told nothing yet, reports role "${view.role}" in term ${view.term}.`,
        "A newcomer belongs to no configuration, so it never starts an election: it waits for a leader's AppendEntries or for POST /cluster/join.",
      );
    }
    await wait(100);
  }
}

/**
 * The first configuration entry that changes more than one member compared
 * with the configuration before it (joint entries are the way between two
 * configurations, not one), or undefined.
 */
export function firstDoubleChange(log: NodeLog, initial: readonly string[]): string | undefined {
  let previous: string[] | undefined = log.entries[0]?.index === 1 ? [...initial] : undefined;
  for (const entry of configEntries(log)) {
    if (!("members" in entry.command)) continue;
    const next = entry.command.members;
    if (previous) {
      const added = next.filter((m) => !previous!.includes(m));
      const gone = previous.filter((m) => !next.includes(m));
      if (added.length + gone.length > 1) {
        return (
          `the configuration entry at index ${entry.index} (term ${entry.term}, ${describeConfig(entry.command)}) follows ${showSet(previous)}: it ` +
          [added.length ? `adds ${added.join(", ")}` : "", gone.length ? `removes ${gone.join(", ")}` : ""].filter(Boolean).join(" and ") +
          " at once, so a majority of the old configuration and a majority of the new one need not share a member."
        );
      }
    }
    previous = [...next];
  }
  return undefined;
}

/** The first entry two logs disagree on up to `upTo`, among the indexes both still hold (a snapshot may cover the rest). */
function sameEntries(a: string, left: NodeLog, b: string, right: NodeLog, upTo: number): string | undefined {
  const theirs = new Map(right.entries.map((e) => [e.index, e]));
  for (const e of left.entries) {
    if (e.index > upTo) break;
    const other = theirs.get(e.index);
    if (other && (other.term !== e.term || JSON.stringify(other.command) !== JSON.stringify(e.command))) {
      return `at index ${e.index} ${a} has ${JSON.stringify(e.command)} (term ${e.term}) but ${b} has ${JSON.stringify(other.command)} (term ${other.term})`;
    }
  }
  return undefined;
}


