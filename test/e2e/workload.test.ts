// The kv workload and its linearizability check against real clusters on the
// local runtime (the sandbox where this machine has it, else loopback): the
// reference at leader-election level is linearizable when nothing fails; a
// cluster whose nodes serve reads from their own lagging copies is caught,
// with the key, the files and the replay command; the same seed draws the
// same fault schedule and the same client calls.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { faultSchedule, suite, type Recording, type ScheduledFault } from "../../src/attest/index.js";
import type { TestContext } from "../../src/attest/context.js";
import { runSuite } from "../../src/attest/runner.js";
import type { Suite } from "../../src/attest/suite.js";
import { EventLog } from "../../src/logs/eventLog.js";
import { renderLinearizabilityHtml } from "../../src/reports/linearizabilityHtml.js";
import { LocalRuntime } from "../../src/runtimes/local/localRuntime.js";
import { replayCommand, withReplay } from "../../src/stages/replay.js";
import { packageRoot } from "../../src/util/packageRoot.js";
import type { SuiteResult } from "../../src/util/verdict.js";
import { clstr, challengeDir, SOLUTION, SOLUTION_SERVER } from "./harness.js";

const STALE_READS = `node ${join(packageRoot, "test", "fixtures", "stale-reads", "server.mjs")}`;
const STAGE = "workload";

/** Runs a suite as `clstr test` runs a stage (seed, history files with pictures, replay command), on the local runtime. */
async function runStage(s: Suite, run: string, seed: number): Promise<{ result: SuiteResult; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "clstr-workload-"));
  const runtime = await LocalRuntime.create({ cwd: SOLUTION, run, runDir: join(dir, ".clstr"), runId: randomUUID() });
  const log = new EventLog(join(dir, ".clstr", "logs", "run.jsonl"));
  const histories = { dir: join(dir, ".clstr", "history"), picture: (h: Parameters<typeof renderLinearizabilityHtml>[0], r: Parameters<typeof renderLinearizabilityHtml>[1], title: string) => renderLinearizabilityHtml(h, r, { title }) };
  try {
    const go = withReplay(replayCommand(STAGE, seed), (listener) => runSuite(s, { runtime, log, signal: new AbortController().signal, listener, seed, stage: STAGE, histories }));
    const result = await go({ testFinished: () => {}, startupFailed: () => {} });
    return { result, dir };
  } finally {
    await runtime.close();
    await log.close();
  }
}

async function linearizableWorkload(t: TestContext): Promise<void> {
  const recording = await t.runWorkload({ clients: 4, durationMs: 3_000, keys: 3 });
  if (recording.counts.ok < 100) t.fail(`Only ${recording.counts.ok} operations succeeded: ${JSON.stringify(recording.reasons)}`);
  await t.expectLinearizable(recording, "Serve reads and writes from the leader alone.");
}

describe("the kv workload and its linearizability check", { skip: existsSync(SOLUTION_SERVER) ? false : `the reference is not built (${SOLUTION_SERVER}): npm run build` }, () => {
  it("the reference (leader election, no faults) gives a linearizable history, saved with its verdict", async () => {
    const s = suite({ cluster: 3, requestTimeout: "1s" }).test("Linearizable Without Faults", linearizableWorkload);
    const { result, dir } = await runStage(s, `node ${SOLUTION_SERVER}`, 11);
    assert.equal(result.passed, true, result.tests[0]?.failure ?? result.startupFailure?.message);
    const stem = join(dir, ".clstr", "history", "workload-linearizable-without-faults");
    const verdict = JSON.parse(readFileSync(`${stem}.verdict.json`, "utf8")) as { outcome: string; seed: number; operations: { ok: number } };
    assert.equal(verdict.outcome, "ok");
    assert.equal(verdict.seed, 11);
    assert.ok(verdict.operations.ok >= 100);
    assert.ok(readFileSync(`${stem}.jsonl`, "utf8").split("\n").length > 200);
    assert.equal(existsSync(`${stem}.html`), false, "a passing check draws no picture");
  });

  it("nodes that serve reads from lagging copies are caught: not linearizable, the key, the files, the replay command", async () => {
    const s = suite({ cluster: 3 }).test("Linearizable Without Faults", linearizableWorkload);
    const { result, dir } = await runStage(s, STALE_READS, 1234567);
    assert.equal(result.passed, false);
    const failure = result.tests[0]!.failure!;
    const stem = join(dir, ".clstr", "history", "workload-linearizable-without-faults");
    assert.match(failure, /^The history is not linearizable: key "k[123]"/);
    assert.match(failure, /cannot be placed/);
    assert.ok(failure.includes(`History: ${stem}.jsonl`), failure);
    assert.ok(failure.includes(`Picture: ${stem}.html`), failure);
    assert.equal(result.tests[0]!.replay, "clstr test workload --seed 1234567");
    assert.equal(result.tests[0]!.hint, "Serve reads and writes from the leader alone.");
    assert.match(readFileSync(`${stem}.html`, "utf8"), /<canvas|<html/i);
    assert.equal((JSON.parse(readFileSync(`${stem}.verdict.json`, "utf8")) as { outcome: string }).outcome, "illegal");
  });

  it("the same seed draws the same fault schedule, and the faults go in the history", async () => {
    const seen: { schedule: ScheduledFault[]; recording: Recording }[] = [];
    const s = suite({ cluster: 3 }).test("Same Faults From the Same Seed", async (t) => {
      const schedule = faultSchedule(t.random, { nodes: t.nodes(), durationMs: 3_000, faults: ["kill-node"], faultMs: [300, 500], quietMs: [300, 500] });
      const recording = await t.runWorkload({ clients: 3, durationMs: 3_000, keys: 2, faults: schedule });
      seen.push({ schedule, recording });
    });
    for (const seed of [5, 5, 6]) assert.equal((await runStage(s, STALE_READS, seed)).result.passed, true);
    const [a, b, c] = seen;
    assert.ok(a!.schedule.length >= 2, `only ${a!.schedule.length} faults`);
    assert.deepEqual(a!.schedule, b!.schedule);
    assert.notDeepEqual(a!.schedule, c!.schedule);
    // Event by event: each scheduled kill, then its restart, of the same node.
    const nemesis = (r: Recording) => r.events.filter((e) => e.process === "nemesis").map((e) => [e.f, (e.value as { node: string }).node]);
    const expected = a!.schedule.flatMap((step) => (step.fault.kind === "kill" && step.fault.node.kind === "node" ? [["kill", step.fault.node.name], ["restart", step.fault.node.name]] : []));
    assert.deepEqual(nemesis(a!.recording), expected);
    assert.deepEqual(nemesis(b!.recording), expected);
    assert.deepEqual(a!.recording.nemesis.map((f) => f.f), a!.schedule.map(() => "kill"));
    assert.ok(a!.recording.nemesis.every((f) => f.end > f.start && f.end < Infinity));
    // The clients' calls too: the first calls of each process-0 client are the same.
    const calls = (r: Recording) => r.events.filter((e) => e.type === "invoke" && e.process === 0).map((e) => [e.f, e.key, e.value]).slice(0, 5);
    assert.deepEqual(calls(a!.recording), calls(b!.recording));
  });
});

describe("clstr test --seed", () => {
  it("refuses a seed that is not an integer, in one sentence", async () => {
    const r = await clstr(challengeDir({ run: "true" }), "test", "--seed", "1.5");
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.stderr.trim(), 'clstr: --seed is "1.5"; it must be an integer.');
  });

  it("shows the seed in the stage's header and ends a failure with the command that replays it", async () => {
    const dir = challengeDir({ run: STALE_READS });
    const pretty = await clstr(dir, "test", "--seed", "42");
    assert.equal(pretty.code, 1, pretty.stdout + pretty.stderr);
    assert.match(pretty.stdout, /^Testing http-api: Store and Retrieve Data\nruntime: .*\nseed: 42\n/);
    assert.match(pretty.stdout, /✗ PUT Rejects Empty Keys and Values[^]*Return 400 Bad Request[^]*\n\n {2}Replay: clstr test http-api --seed 42\n/);
    const json = await clstr(dir, "test", "--reporter", "json");
    const report = JSON.parse(json.stdout) as { seed: number; stages: { tests: { status: string; replay?: string }[] }[] };
    assert.ok(Number.isInteger(report.seed) && report.seed > 0, "without --seed, a random seed, reported");
    assert.equal(report.stages[0]!.tests.find((t) => t.status === "failed")!.replay, `clstr test http-api --seed ${report.seed}`);
  });
});
