import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clstr, clstrWithEnv, parseReport, SOLUTION, summary } from "./harness.js";

describe("kv-store reference solution", () => {
  it("passes every stage up to crash-recovery", async () => {
    const r = await clstr(SOLUTION, "test", "crash-recovery", "--so-far");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Testing http-api: Store and Retrieve Data/);
    assert.match(r.stdout, /✓ Rapid Concurrent Writes Survive a Hard Crash/);
    assert.match(r.stdout, /All stages up to crash-recovery passed! ✓/);
  });

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
