import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { brokenVariant, challengeDir, clstr, parseReport, summary } from "./harness.js";

// Each broken variant must pass the stages before the one that catches it,
// and fail that one, at the test that targets its bug.
describe("kv-store broken variants", () => {
  it("wrong-errors fails http-api on the missing-key error", async () => {
    const dir = challengeDir({ run: brokenVariant("wrong-errors") });
    const r = await clstr(dir, "test", "http-api", "--reporter", "json");
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const report = parseReport(r.stdout);
    assert.deepEqual(summary(report), { stages: ["http-api: failed"], failedTest: "GET Rejects Missing and Invalid Keys" });
    const failed = report.stages[0]!.tests.find((t) => t.status === "failed")!;
    assert.match(failed.failure!, /GET http:\/\/n1:8080\/kv\/nonexistent:key → 404/);
    assert.match(failed.failure!, /Expected response: matching pattern \/\^key not found\\n\?\$\//);
    assert.match(failed.failure!, /Actual response: not found/);
    assert.match(failed.hint!, /key not found/);
  });

  it("forgets-deletes passes http-api and fails persistence", async () => {
    const dir = challengeDir({ run: brokenVariant("forgets-deletes") });
    const r = await clstr(dir, "test", "persistence", "--so-far", "--reporter", "json");
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.deepEqual(summary(parseReport(r.stdout)), {
      stages: ["http-api: passed", "persistence: failed"],
      failedTest: "Data Survives a Graceful Restart",
    });
  });

  it("write-behind passes http-api and persistence and fails crash-recovery", async () => {
    const dir = challengeDir({ run: brokenVariant("write-behind") });
    const r = await clstr(dir, "test", "crash-recovery", "--so-far", "--reporter", "json");
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const s = summary(parseReport(r.stdout));
    assert.deepEqual(s.stages, ["http-api: passed", "persistence: passed", "crash-recovery: failed"]);
    assert.equal(s.failedTest, "Data Survives a Hard Crash");
  });

  it("the pretty report of a failure shows request, expectation, answer, hint and guide", async () => {
    const dir = challengeDir({ run: brokenVariant("wrong-errors") });
    const r = await clstr(dir, "test");
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✗ GET Rejects Missing and Invalid Keys \(/);
    assert.match(r.stdout, /GET http:\/\/n1:8080\/kv\/nonexistent:key → 404\n  Expected response: .*\n  Actual response: not found\n\n  Your server should return 404/);
    assert.match(r.stdout, /FAILED ✗/);
    assert.match(r.stdout, /Read the guide: clstr guide http-api \(.*guides\/http-api\.md\)/);
  });
});
