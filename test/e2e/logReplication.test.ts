import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { detectCapabilities } from "../../src/runtimes/sandbox/capabilities.js";
import { brokenVariant, challengeDir, clstr, parseReport, SOLUTION, summary } from "./harness.js";

const caps = await detectCapabilities();
const skip = caps.sandbox.available ? false : `log-replication needs partitions: ${caps.sandbox.reason}`;
const HISTORY = "log-replication-linearizable-under-crashes-and-partitions";

// Stage 5 on the network sandbox: the reference passes it and keeps the
// history and verdict of its linearizability check; each broken variant
// fails the test that targets its bug, with the command that replays it.
describe("kv-store log-replication", { skip }, () => {
  it("the reference passes, and its checked history and verdict are kept under .clstr/history", async () => {
    const r = await clstr(SOLUTION, "test", "log-replication", "--seed", "424242");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /seed: 424242/);
    assert.match(r.stdout, /✓ Linearizable Under Crashes and Partitions/);
    const dir = join(SOLUTION, ".clstr", "history");
    const verdict = JSON.parse(readFileSync(join(dir, `${HISTORY}.verdict.json`), "utf8"));
    assert.equal(verdict.outcome, "ok");
    assert.equal(verdict.seed, 424242);
    assert.ok(verdict.operations.ok >= 50, JSON.stringify(verdict.operations));
    assert.ok(verdict.schedule.length >= 2, "the schedule injected faults");
    assert.ok(readFileSync(join(dir, `${HISTORY}.jsonl`), "utf8").includes('"process":"nemesis"'), "the faults are in the history");
    assert.equal(existsSync(join(dir, `${HISTORY}.html`)), false, "a picture only for a failed check");
  });

  it("the same seed replays the same schedule: a second run's faults match the first's, event by event", async () => {
    const dir = join(SOLUTION, ".clstr", "history");
    const read = () => ({
      verdict: JSON.parse(readFileSync(join(dir, `${HISTORY}.verdict.json`), "utf8")) as { seed: number; schedule: unknown[] },
      faults: readFileSync(join(dir, `${HISTORY}.jsonl`), "utf8")
        .split("\n")
        .filter((l) => l.includes('"process":"nemesis"'))
        .map((l) => JSON.parse(l) as { f: string; type: string }),
    });
    const first = read();
    assert.equal(first.verdict.seed, 424242, "the first test ran with --seed 424242");
    const r = await clstr(SOLUTION, "test", "log-replication", "--seed", "424242");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const second = read();
    assert.deepEqual(second.verdict.schedule, first.verdict.schedule);
    // Which node leads when a "kill the leader" comes is the cluster's doing; what is done, and in what order, is the seed's.
    assert.deepEqual(
      second.faults.map((e) => `${e.type} ${e.f}`),
      first.faults.map((e) => `${e.type} ${e.f}`),
    );
    assert.ok(first.faults.length >= 4, `faults recorded: ${first.faults.length}`);
  });

  const deposed = "A Deposed Leader's Uncommitted Entries Are Replaced";
  const linearizable = "Linearizable Under Crashes and Partitions";
  // Each variant with a seed and where it may fail: [test, what the failure says].
  for (const [variant, seed, expected] of [
    ["early-ack", 7, [[deposed, /cut off from every other node, answered 200 to PUT/]]],
    ["no-truncate", 7, [[deposed, /still holds its uncommitted put deposed:\d=lost\d-/]]],
    // Seed 17210 isolates the leader three times in the workload. The cut-off leader's stale read shows either in test 4's
    // direct read (when its 1.5 s lease has not run out yet) or in the workload's history.
    [
      "stale-reads",
      17210,
      [
        [deposed, /answered GET \/kv\/deposed:1 with (200|404)[\s\S]*: a stale read/],
        [linearizable, /not linearizable: key "k\d"[\s\S]*Picture: .+\.html/],
      ],
    ],
  ] as const) {
    it(`${variant} fails log-replication at ${expected.map(([test]) => `"${test}"`).join(" or ")}, with the replay command`, async () => {
      const dir = challengeDir({ run: brokenVariant(variant), stage: "log-replication" });
      const r = await clstr(dir, "test", "log-replication", "--seed", String(seed), "--reporter", "json");
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const report = parseReport(r.stdout);
      const { stages, failedTest } = summary(report);
      assert.deepEqual(stages, ["log-replication: failed"]);
      const match = expected.find(([test]) => test === failedTest);
      assert.ok(match, `${variant} failed at "${failedTest}"`);
      const failed = report.stages[0]!.tests.find((t) => t.status === "failed")!;
      assert.match(failed.failure!, match[1]);
      assert.equal(failed.replay, `clstr test log-replication --seed ${seed}`);
    });
  }
});
