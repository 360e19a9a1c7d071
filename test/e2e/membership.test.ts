import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { detectCapabilities } from "../../src/runtimes/sandbox/capabilities.js";
import { brokenVariant, challengeDir, clstr, parseReport, SOLUTION, summary } from "./harness.js";

const caps = await detectCapabilities();
const skip = caps.sandbox.available ? false : `the membership stages need partitions: ${caps.sandbox.reason}`;

// Stages 7 and 8 on the network sandbox: the reference changes its
// membership one server at a time and in bulk through a joint
// configuration, under faults, with a linearizable history; a leader that
// merges two changes into one entry, and a joint configuration that counts
// only its new half, are caught by the tests that target them.
describe("kv-store membership-changes and joint-consensus", { skip }, () => {
  it("the reference passes membership-changes, its linearizability check included", async () => {
    const r = await clstr(SOLUTION, "test", "membership-changes", "--seed", "20261129");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const name of ["A New Node Joins and Catches Up", "One Change at a Time", "A Removed Leader Steps Down", "A Newcomer Does Not Count Until It Has Caught Up", "Linearizable While Membership Changes"]) {
      assert.match(r.stdout, new RegExp(`✓ ${name}`));
    }
    const verdict = JSON.parse(readFileSync(join(SOLUTION, ".clstr", "history", "membership-changes-linearizable-while-membership-changes.verdict.json"), "utf8"));
    assert.equal(verdict.outcome, "ok");
  });

  it("the reference passes joint-consensus, its linearizability check included", async () => {
    const r = await clstr(SOLUTION, "test", "joint-consensus", "--seed", "11292026");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const name of ["A Bulk Change Goes Through a Joint Configuration", "Decisions Need a Majority of Both Configurations", "A Leader Elected Mid-Transition Completes It", "Linearizable While the Configuration Changes Under a Partition"]) {
      assert.match(r.stdout, new RegExp(`✓ ${name}`));
    }
    const verdict = JSON.parse(readFileSync(join(SOLUTION, ".clstr", "history", "joint-consensus-linearizable-while-the-configuration-changes-under-a-partition.verdict.json"), "utf8"));
    assert.equal(verdict.outcome, "ok");
  });

  it('two-changes-at-once fails membership-changes at "One Change at a Time", naming the entry, with the replay command', async () => {
    const dir = challengeDir({ run: brokenVariant("two-changes-at-once"), stage: "membership-changes" });
    const r = await clstr(dir, "test", "membership-changes", "--seed", "5", "--reporter", "json");
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const report = parseReport(r.stdout);
    assert.deepEqual(summary(report), { stages: ["membership-changes: failed"], failedTest: "One Change at a Time" });
    const failed = report.stages[0]!.tests.find((t) => t.status === "failed")!;
    assert.match(failed.failure!, /the configuration entry at index \d+ .* adds 10\.0\.42\.107:8080 and removes 10\.0\.42\.10\d:8080 at once/);
    assert.equal(failed.replay, "clstr test membership-changes --seed 5");
  });

  it('joint-counts-new-only fails joint-consensus at "Decisions Need a Majority of Both Configurations", with the replay command', async () => {
    const dir = challengeDir({ run: brokenVariant("joint-counts-new-only"), stage: "joint-consensus" });
    const r = await clstr(dir, "test", "joint-consensus", "--seed", "8", "--reporter", "json");
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const report = parseReport(r.stdout);
    assert.deepEqual(summary(report), { stages: ["joint-consensus: failed"], failedTest: "Decisions Need a Majority of Both Configurations" });
    const failed = report.stages[0]!.tests.find((t) => t.status === "failed")!;
    assert.match(failed.failure!, /answered 200 to (POST \/cluster\/config|PUT \/kv\/both:cut)/);
    assert.equal(failed.replay, "clstr test joint-consensus --seed 8");
  });
});
