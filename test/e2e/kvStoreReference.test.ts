import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clstr, clstrWithEnv, parseReport, SOLUTION, summary } from "./harness.js";

describe("kv-store reference solution", () => {
  // Every stage up to leader-election (on the sandbox): leaderElection.test.ts.

  it("reports the same run as one JSON document", async () => {
    const r = await clstr(SOLUTION, "test", "http-api", "--reporter", "json");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = parseReport(r.stdout);
    assert.deepEqual(summary(report), { stages: ["http-api: passed"], failedTest: undefined });
    assert.equal(report.stages[0]!.tests.length, 10);
  });

  it("passes on the loopback fallback too (no namespaces)", async () => {
    const r = await clstrWithEnv(SOLUTION, { CLSTR_NETWORK: "loopback" }, "test", "http-api");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /runtime: local \(processes on loopback addresses\)/);
  });
});
