import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { detectCapabilities } from "../../src/runtimes/sandbox/capabilities.js";
import { brokenVariant, challengeDir, clstr, clstrAsOnlyChild, clstrWithEnv, parseReport, SOLUTION, summary } from "./harness.js";

const caps = await detectCapabilities();
const skip =
  caps.sandbox.available && (caps.netem.available || (caps.iptables.available && caps.packetQueue.available))
    ? false
    : `leader-election needs partitions, delay and loss: ${caps.sandbox.reason ?? caps.iptables.reason ?? caps.packetQueue.reason}`;

// Stage 4 on the network sandbox: the reference passes every stage up to it;
// each broken Raft variant passes the stages before and fails the test that
// targets its bug.
describe("kv-store leader-election", { skip }, () => {
  it("the reference passes every stage up to leader-election, and the header names the fault mechanisms", async () => {
    // As the only child of a PID namespace's init: every process the run
    // started (nodes, packet queues, the switch) must be gone when it returns.
    const r = await clstrAsOnlyChild(SOLUTION, ["test", "leader-election", "--so-far"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.leftovers, []);
    assert.match(r.stdout, /✓ Rapid Concurrent Writes Survive a Hard Crash/);
    assert.match(r.stdout, /Testing leader-election: Cluster Elects and Maintains Leader/);
    assert.match(r.stdout, /faults: partition: dead neighbour entries in each node's namespace[^;]*; delay: (tc netem|user-space packet queue)[^;]*; loss: /);
    for (const name of ["Slow Leader Steps Down and Cluster Re-elects", "Election Completes Under Packet Loss", "Votes Survive a Crash"]) {
      assert.match(r.stdout, new RegExp(`✓ ${name}`));
    }
    assert.match(r.stdout, /All stages up to leader-election passed! ✓/);
  });

  for (const [variant, failedTest] of [
    ["no-majority", "Partition Enforces Quorum"],
    ["never-steps-down", "Partition Enforces Quorum"],
    ["forgets-vote", "Votes Survive a Crash"],
  ] as const) {
    it(`${variant} passes the first three stages and fails leader-election at "${failedTest}"`, async () => {
      const dir = challengeDir({ run: brokenVariant(variant), stage: "leader-election" });
      const r = await clstr(dir, "test", "leader-election", "--so-far", "--reporter", "json");
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const s = summary(parseReport(r.stdout));
      assert.deepEqual(s.stages, ["http-api: passed", "persistence: passed", "crash-recovery: passed", "leader-election: failed"]);
      assert.equal(s.failedTest, failedTest);
    });
  }
});

describe("a stage that needs faults the runtime cannot inject", () => {
  it("is refused before any node starts, in one sentence", async () => {
    const dir = challengeDir({ run: "node -e 'process.exit(3)'", stage: "leader-election" });
    const r = await clstrWithEnv(dir, { CLSTR_NETWORK: "loopback" }, "test");
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr.trim(),
      /^clstr: The leader-election stage injects network partitions, which this runtime \(local \(processes on loopback addresses\)\) cannot inject: CLSTR_NETWORK=loopback runs nodes as plain processes on loopback addresses; run `clstr doctor` to see what this machine supports, or use `--runtime docker`\.$/,
    );
  });
});
