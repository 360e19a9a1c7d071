import { faultKindsOf, suite } from "../../attest/index.js";
import type { TestContext } from "../../attest/index.js";
import {
  addresses,
  askChange,
  awaitLeader,
  CHANGE_MS,
  CLUSTER,
  configEntries,
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
import { findLeader, highestTerm, readLog, unique, waitUntil, writeAll } from "./raftChecks.js";

// Stage 8: the cluster moves from any configuration to any other through a
// joint configuration in which both the old and the new members must agree,
// completes a transition whoever leads, and stays linearizable while the
// configuration changes under partitions.

const WORKLOAD_MS = 12_000;

export default suite({ cluster: CLUSTER, spares: SPARES, settle: "3s", needs: ["partition", ...faultKindsOf(["kill-leader"])], requestTimeout: "3s" })
  // 1
  .test("A Bulk Change Goes Through a Joint Configuration", async (t) => {
    const leader = await findLeader(t);
    const old = NAMES.slice(0, CLUSTER);
    const replaced = shuffle(t, old.filter((n) => n !== leader)).slice(0, 2);
    const target = [...old.filter((n) => !replaced.includes(n)), "n6", "n7"];
    await writeAll(t, leader, [["bulk:before", unique(t, "b")]], "The leader must accept PUT requests.");
    await t.start("n6");
    await t.start("n7");

    const answer = await reconfigure(t, leader, target, CHANGE_MS);
    expectMembers(t, answer, target, `POST /cluster/config to ${leader} replacing ${replaced.join(" and ")} with n6 and n7`);

    const current = await findLeader(t, target);
    const log = await readLog(t, current);
    if (typeof log === "string") return t.fail(log);
    const entries = configEntries(log);
    const jointAt = entries.findIndex((e) => "old" in e.command && sameSet(e.command.old, addresses(t, old)) && sameSet(e.command.new, addresses(t, target)));
    if (jointAt < 0) {
      t.fail(
        `${current}'s log has no joint entry {"op": "config", "old": ${showSet(addresses(t, old))}, "new": ${showSet(addresses(t, target))}}; its configuration entries: ` +
          (entries.map((e) => `${e.index}: ${JSON.stringify(e.command)}`).join(", ") || "none"),
        "A bulk change goes through C_old,new first: the leader appends the joint entry, and only once it is committed the entry with C_new.",
      );
    }
    const next = entries[jointAt + 1];
    if (!next || !("members" in next.command) || !sameSet(next.command.members, addresses(t, target))) {
      t.fail(
        `In ${current}'s log the joint entry at index ${entries[jointAt]!.index} is followed by ${next ? JSON.stringify(next.command) : "no configuration entry"}, ` +
          `not by {"op": "config", "members": ${showSet(addresses(t, target))}}.`,
        "Once C_old,new is committed the leader appends C_new, and nothing else changes the configuration between them.",
      );
    }
    await everyoneLists(t, target, target, 3_000);
    await waitUntil(
      t,
      3_000,
      async () => {
        for (const node of replaced) {
          const view = await readView(t, node);
          if (typeof view === "string") return view;
          if (view.members.includes(t.address(node))) return `${node}, which was replaced, still lists itself in members ${showSet(view.members)}`;
        }
        return undefined;
      },
      "The leader keeps replicating to removed members until they hold C_new and know it is committed.",
    );
    await writeAll(t, current, [["bulk:after", unique(t, "a")]], "Writes go on in the new configuration.");
    for (const node of replaced) await t.stop(node);
  })

  // 2
  .test("Decisions Need a Majority of Both Configurations", async (t) => {
    const leader = await findLeader(t);
    const members = await membersOf(t, leader);
    const [other, ...rest] = shuffle(t, members.filter((n) => n !== leader));
    const target = [leader, other!, "n8"];
    await t.start("n8");

    await t.partitionNow([leader, other!, "n8"], rest);
    // Asked at once, while the cut-off leader still leads: its new configuration would have a majority on its side, its old one not.
    const change = t.send(leader, "POST", "/cluster/config", JSON.stringify({ members: addresses(t, target) }), { timeoutMs: 4_000 });
    const key = "both:cut";
    const write = t.send(leader, "PUT", `/kv/${key}`, unique(t, "cut"), { timeoutMs: 4_000 });
    const elected = await awaitLeader(t, rest);
    const [changed, written] = await Promise.all([change, write]);
    if (changed?.status === 200) {
      t.fail(
        `${leader}, cut off with ${other} and the newcomer n8 from ${rest.join(", ")}, answered 200 to POST /cluster/config with members ${showSet(addresses(t, target))}` +
          `${elected ? `, while ${elected} was elected on the other side` : ""}: the joint configuration was committed without a majority of the old configuration.`,
        "While C_old,new is in use every decision (commit, election, the step-down rule, read confirmation) needs a majority of C_old and, separately, of C_new.\n" +
          "Counting only C_new lets the cut-off side commit while the old majority elects a leader of its own: two leaders.",
      );
    }
    if (written?.status === 200) {
      t.fail(
        `${leader}, cut off with ${other} and n8 from ${rest.join(", ")}, answered 200 to PUT /kv/${key}: only two of the five old members could have stored it.`,
        "During the transition an entry commits only on a majority of C_old and a majority of C_new.",
      );
    }
    if (!elected) t.fail(`${rest.join(", ")}, a majority of the old configuration, elected no leader within 5 s.`);

    if ((await t.healNow()) === 0) {
      t.fail(`The partition of ${leader}, ${other} and n8 from ${rest.join(", ")} dropped no packet: it did not take effect.`, "This is clstr's problem, not your server's: the fault mechanism did nothing. Run clstr doctor and report it.");
    }
    await everyoneLists(t, members, members, 5_000);
    const current = await findLeader(t, members);
    await writeAll(t, current, [["both:after", unique(t, "after")]], "After the heal the old configuration serves writes again.");
    await t.stop("n8");
  })

  // 3
  .test("A Leader Elected Mid-Transition Completes It", async (t) => {
    let full: string[] | undefined;
    for (const round of [0, 1]) {
      const leader = await findLeader(t);
      const members = await membersOf(t, leader);
      full ??= members;
      const target = round === 0 ? [leader, ...shuffle(t, members.filter((n) => n !== leader)).slice(0, 2)] : full;
      const everyone = [...new Set([...members, ...target])];
      const followers = everyone.filter((n) => n !== leader);
      const change = t.send(leader, "POST", "/cluster/config", JSON.stringify({ members: addresses(t, target) }), { timeoutMs: 5_000 });
      const seenJoint = await firstJoint(t, followers, 5_000);
      await t.kill(leader);
      await change;
      const survivors = followers;

      if (!(await awaitLeader(t, survivors))) {
        t.fail(
          `After the leader ${leader} was killed mid-transition, none of ${survivors.join(", ")} reported role "leader" within 5 s.`,
          "A candidate whose latest configuration is joint needs votes from a majority of each half; the survivors hold both.",
        );
      }
      await waitUntil(
        t,
        5_000,
        async () => {
          const committed = await jointCommitted(t, survivors, members, target);
          const finals = committed ? [target] : [target, members];
          for (const node of survivors.filter((n) => target.includes(n) || members.includes(n))) {
            const view = await readView(t, node);
            if (typeof view === "string") return view;
            if (view.joint) return `${node} still reports the joint configuration ${showSet(view.joint.old)} → ${showSet(view.joint.new)}`;
            const inFinal = finals.some((f) => sameSet(view.members, addresses(t, f)));
            if (!inFinal && (members.includes(node) && target.includes(node))) {
              return `${node} lists members ${showSet(view.members)}, expected ${committed ? "" : "the old configuration or "}${showSet(addresses(t, target))}`;
            }
          }
          return undefined;
        },
        `The leader was killed ${seenJoint ? `as soon as ${seenJoint} reported the joint configuration` : "during the change"}. Whoever is elected next and finds C_old,new\n` +
          "committed in its log appends C_new itself: a cluster never stays joint. A candidate whose latest configuration is joint needs a majority of both.",
      );
      await t.start(leader);
      const final = await membersOf(t, await findLeader(t, survivors));
      await everyoneLists(t, final.filter((n) => n !== leader || final.includes(leader)), final, 5_000);
    }
  })

  // 4
  .test("Linearizable While the Configuration Changes Under a Partition", async (t) => {
    const leader = await findLeader(t);
    const members = await membersOf(t, leader);
    const termBefore = await highestTerm(t);
    const problems: string[] = [];
    let isolated = 0;
    let partitioned = 0;
    const changes = (async () => {
      const until = Date.now() + WORKLOAD_MS - 2_500;
      let current = members;
      let made = 0;
      await wait(500);
      while (Date.now() < until && problems.length === 0) {
        const target = current.length === members.length ? shuffle(t, members).slice(0, 3) : members;
        const fault = pick(t, ["isolate-leader", "split", "none"] as const);
        const now = (await awaitLeader(t, members)) ?? members[0]!;
        if (fault !== "none") partitioned++;
        if (fault === "isolate-leader") {
          isolated++;
          await t.partitionNow([now], members.filter((n) => n !== now));
        } else if (fault === "split") {
          const order = shuffle(t, members);
          await t.partitionNow(order.slice(0, 3), order.slice(3));
        }
        const end = t.change("reconfigure", addresses(t, target), target);
        const holdMs = 1_500 + Math.floor(t.random() * 1_000);
        const started = Date.now();
        await reconfigure(t, now, target, holdMs);
        if (fault !== "none") {
          await wait(Math.max(0, started + holdMs - Date.now()));
          await t.healNow();
        }
        const done = await reconfigure(t, now, target, 10_000);
        end("reconfigured");
        if (typeof done === "string" || done.status !== 200) {
          problems.push(`${showSet(target)}: ${typeof done === "string" ? done : `${done.node} answered ${done.status} ${done.body.slice(0, 100)}`}`);
          break;
        }
        current = target;
        made++;
        // A quiet spell, as in the fault schedules of the earlier stages: the clients get work done between faults.
        await wait(1_500 + Math.floor(t.random() * 1_000));
      }
      return { made, current };
    })();
    const [recording, { made, current }] = await Promise.all([t.runWorkload({ clients: 5, durationMs: WORKLOAD_MS, keys: 3, opTimeoutMs: 1_000 }), changes]);
    if (problems.length > 0) {
      t.fail(
        `A configuration change asked for during the workload was never made once the network was whole: ${problems.join("; ")}.`,
        "Once a majority of both configurations can talk, the leader commits C_old,new and then C_new; a change cut short by a partition is completed or dropped by the next leader.",
      );
    }
    if (made < 2) t.fail(`Only ${made} configuration changes were made in ${WORKLOAD_MS / 1000} s.`);
    await everyoneLists(t, current, current, 5_000);
    if (partitioned > 0 && (await t.partitionDrops()) === 0) {
      t.fail(
        `The cluster was partitioned ${partitioned} time(s) during the workload, yet the cuts dropped no packet: the partitions did not take effect.`,
        "This is clstr's problem, not your server's: the fault mechanism did nothing. Run clstr doctor and report it.",
      );
    }
    if (isolated > 0 && (await highestTerm(t)) <= termBefore) {
      t.fail(
        `The leader was cut off ${isolated} time(s) during the workload, yet the term stayed at ${termBefore}: the partitions did not take effect.`,
        "This is clstr's problem, not your server's: the fault mechanism did nothing. Run clstr doctor and report it.",
      );
    }
    if (recording.counts.ok < 50) {
      t.fail(`Only ${recording.counts.ok} operations succeeded in ${WORKLOAD_MS / 1000} s while the configuration changed (${recording.counts.info} unknown).`);
    }
    await t.expectLinearizable(
      recording,
      "A read returned something no order of the operations explains. Look for: a decision in a joint configuration that counted only one half,\n" +
        "a node that kept an old configuration after a newer one was in its log, or a removed node still serving reads.",
    );
  });

/** Asks `node` (then any running node, should it answer 503) to move the cluster to `target`. */
function reconfigure(t: TestContext, node: string, target: readonly string[], deadlineMs: number): Promise<ChangeAnswer | string> {
  return askChange(t, node, "/cluster/config", JSON.stringify({ members: addresses(t, target) }), { deadlineMs, names: NAMES, others: t.nodes() });
}

/** The node names of the configuration the node reports. */
async function membersOf(t: TestContext, node: string): Promise<string[]> {
  const view = await readView(t, node);
  if (typeof view === "string") return t.fail(view);
  return NAMES.filter((n) => view.members.includes(t.address(n)));
}

/** The first node to report a joint configuration, polled as fast as they answer; undefined if none does in time. */
async function firstJoint(t: TestContext, nodes: readonly string[], ms: number): Promise<string | undefined> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const views = await Promise.all(nodes.map((n) => readView(t, n)));
    const i = views.findIndex((v) => typeof v !== "string" && v.joint !== null);
    if (i >= 0) return nodes[i];
  }
  return undefined;
}

/** Whether a node's commit index covers the joint entry from `old` to `target` in its log. */
async function jointCommitted(t: TestContext, nodes: readonly string[], old: readonly string[], target: readonly string[]): Promise<boolean> {
  for (const node of nodes) {
    const log = await readLog(t, node);
    if (typeof log === "string") continue;
    const joint = configEntries(log).find((e) => "old" in e.command && sameSet(e.command.old, addresses(t, old)) && sameSet(e.command.new, addresses(t, target)));
    if (joint && log.commitIndex >= joint.index) return true;
  }
  return false;
}


