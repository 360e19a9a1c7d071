import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeScheduledFault, FAULT_CHOICES, faultKindsOf, faultSchedule } from "../../src/faults/schedule.js";
import { deriveSeed, seeded } from "../../src/util/random.js";

const NODES = ["n1", "n2", "n3", "n4", "n5"];
const draw = (seed: number, durationMs = 20_000) => faultSchedule(seeded(seed), { nodes: NODES, durationMs });

describe("fault schedules", () => {
  it("are the same, fault by fault, for the same seed", () => {
    for (const seed of [0, 1, 1234567, 4294967295]) assert.deepEqual(draw(seed), draw(seed));
  });

  it("differ between seeds", () => {
    const text = (seed: number) => draw(seed).map(describeScheduledFault).join("; ");
    const distinct = new Set([1, 2, 3, 4, 5, 6, 7, 8].map(text));
    assert.equal(distinct.size, 8);
  });

  it("one fault at a time, each after a quiet spell, all over before the workload ends", () => {
    for (let seed = 0; seed < 200; seed++) {
      const schedule = draw(seed, 15_000);
      assert.ok(schedule.length >= 2, `seed ${seed}: only ${schedule.length} faults in 15 s`);
      let free = 1_000;
      for (const step of schedule) {
        assert.ok(step.atMs >= free, `seed ${seed}: a fault at ${step.atMs} before ${free}`);
        assert.ok(step.forMs >= 1_000 && step.forMs <= 3_000);
        free = step.atMs + step.forMs + 1_000;
      }
      assert.ok(free <= 15_000, `seed ${seed}: the last fault ends too late`);
    }
  });

  it("splits the nodes into a minority and a majority that together are all of them", () => {
    let splits = 0;
    for (let seed = 0; seed < 100; seed++) {
      for (const { fault } of faultSchedule(seeded(seed), { nodes: NODES, durationMs: 20_000, faults: ["split"] })) {
        assert.equal(fault.kind, "split");
        if (fault.kind !== "split") continue;
        splits++;
        const [minority, majority] = fault.groups;
        assert.ok(minority!.length >= 1 && minority!.length <= 2 && majority!.length === 5 - minority!.length);
        assert.deepEqual([...minority!, ...majority!].sort(), NODES);
      }
    }
    assert.ok(splits > 100);
  });

  it("draws only the faults it is given, and says which network faults they need", () => {
    for (let seed = 0; seed < 50; seed++) {
      const kinds = new Set(faultSchedule(seeded(seed), { nodes: NODES, durationMs: 20_000, faults: ["kill-leader", "kill-node"] }).map((s) => s.fault.kind));
      assert.deepEqual([...kinds], ["kill"]);
    }
    assert.deepEqual(faultKindsOf(["kill-leader", "kill-node"]), []);
    assert.deepEqual(faultKindsOf(FAULT_CHOICES).sort(), ["delay", "loss", "partition"]);
  });

  it("reads as words", () => {
    assert.equal(
      describeScheduledFault({ atMs: 1500, forMs: 2000, fault: { kind: "kill", node: { kind: "leader" }, signal: "SIGKILL" } }),
      "kill the leader (SIGKILL) at +1.5s for 2s",
    );
    assert.equal(describeScheduledFault({ atMs: 0, forMs: 1000, fault: { kind: "split", groups: [["n2"], ["n1", "n3"]] } }), "partition n2 | n1, n3 at +0s for 1s");
  });

  it("seeds derived from a run's seed are stable and independent per label", () => {
    assert.equal(deriveSeed(1234567, "log-replication", "Linearizable Under Faults"), deriveSeed(1234567, "log-replication", "Linearizable Under Faults"));
    assert.notEqual(deriveSeed(1234567, "a", "b"), deriveSeed(1234567, "a", "c"));
    assert.notEqual(deriveSeed(1, "a"), deriveSeed(2, "a"));
    // Labels are kept apart: ("ab", "c") is not ("a", "bc").
    assert.notEqual(deriveSeed(1, "ab", "c"), deriveSeed(1, "a", "bc"));
  });
});
