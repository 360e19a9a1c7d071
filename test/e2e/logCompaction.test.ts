import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { detectCapabilities } from "../../src/runtimes/sandbox/capabilities.js";
import { brokenVariant, challengeDir, clstr, parseReport, SOLUTION, summary } from "./harness.js";

const caps = await detectCapabilities();
const skip = caps.sandbox.available ? false : `log-compaction needs partitions: ${caps.sandbox.reason}`;

// Stage 6 on the network sandbox: the reference snapshots, installs
// snapshots on a follower left behind and survives SIGKILL of every node;
// a snapshot that forgets its last included term is caught.
describe("kv-store log-compaction", { skip }, () => {
  it("the reference passes, its linearizability check included", async () => {
    const r = await clstr(SOLUTION, "test", "log-compaction", "--seed", "31337");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    for (const name of ["The Log Stays Bounded", "A Follower Behind the Snapshot Receives It", "Snapshot and Log Survive Killing Every Node", "Linearizable Under Crashes and Partitions"]) {
      assert.match(r.stdout, new RegExp(`✓ ${name}`));
    }
    const verdict = JSON.parse(readFileSync(join(SOLUTION, ".clstr", "history", "log-compaction-linearizable-under-crashes-and-partitions.verdict.json"), "utf8"));
    assert.equal(verdict.outcome, "ok");
  });

  it('snapshot-forgets-term fails log-compaction at "The Log Stays Bounded", saying why the term matters, with the replay command', async () => {
    const dir = challengeDir({ run: brokenVariant("snapshot-forgets-term"), stage: "log-compaction" });
    const r = await clstr(dir, "test", "log-compaction", "--seed", "7", "--reporter", "json");
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const report = parseReport(r.stdout);
    assert.deepEqual(summary(report), { stages: ["log-compaction: failed"], failedTest: "The Log Stays Bounded" });
    const failed = report.stages[0]!.tests.find((t) => t.status === "failed")!;
    assert.match(failed.failure!, /snapshot reports last-included-term 0[\s\S]*consistency check at prev-log-index = last-included-index and the vote restriction/);
    assert.equal(failed.replay, "clstr test log-compaction --seed 7");
  });
});
