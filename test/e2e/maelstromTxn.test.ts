import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";
import { gossipGlomers } from "../../src/challenges/gossip-glomers/index.js";
import type { MaelstromTest } from "../../src/challenges/types.js";
import type { ClstrConfig } from "../../src/config/clstrYaml.js";
import type { Reporter } from "../../src/reports/reporter.js";
import { runMaelstromStages } from "../../src/stages/maelstromStage.js";
import type { SuiteResult } from "../../src/util/verdict.js";
import { packageRoot } from "../../src/util/packageRoot.js";

// The transaction stages (Gossip Glomers 6a–6c) on the engine: the reference
// node passes each with the stage's own parameters (shorter runs, partitions
// every second), and each broken node fails with the anomaly it was built to
// show, named and explained: intermediate writes (G1b), aborted writes kept
// (G1a), writes lost in a partition (the final reads disagree), refusals
// during a partition (total availability).
const CLI = join(packageRoot, "dist", "src", "cli", "main.js");
const GG = join(packageRoot, "solutions", "gossip-glomers", "dist");

/** `clstr maelstrom test` with the flags of a stage's last test (the one with partitions), its time limit replaced. */
async function stage(key: string, bin: string[], timeLimit: string) {
  const s = gossipGlomers.stages.find((x) => x.key === key);
  assert.ok(s && s.kind === "maelstrom", `${key} is a maelstrom stage`);
  const m: MaelstromTest = s.tests.at(-1)!;
  const flags = ["-w", m.workload, "--node-count", String(m.nodeCount), "--time-limit", timeLimit, "--rate", String(m.rate), "--concurrency", m.concurrency ?? "1n"];
  if (m.consistencyModels) flags.push("--consistency-models", m.consistencyModels);
  if (m.availability) flags.push("--availability", m.availability);
  if (m.nemesis) flags.push("--nemesis", m.nemesis, "--nemesis-interval", "1");
  const cwd = mkdtempSync(join(tmpdir(), "clstr-txn-"));
  const r = await execa(process.execPath, [CLI, "maelstrom", "test", "--bin", process.execPath, ...bin, ...flags, "--seed", "16"], { cwd, reject: false, env: { NO_COLOR: "1" }, timeout: 120_000 });
  const results = JSON.parse(readFileSync(join(cwd, "store", "latest", "results.json"), "utf8")) as { valid: unknown; checker: Record<string, unknown> };
  return { code: r.exitCode, out: String(r.stdout) + String(r.stderr), results };
}

describe("gossip-glomers transactions (6a–6c)", () => {
  it("the stages run txn-rw-register with the challenge pages' parameters", () => {
    const tests = Object.fromEntries(gossipGlomers.stages.flatMap((s) => (s.kind === "maelstrom" && s.tests[0]!.workload === "txn-rw-register" ? [[s.key, s.tests]] : [])));
    assert.deepEqual(tests, {
      "single-node-transactions": [{ workload: "txn-rw-register", nodeCount: 1, timeLimitS: 20, rate: 1000, concurrency: "2n", consistencyModels: "read-uncommitted", availability: "total" }],
      "read-uncommitted-transactions": [
        { label: "without partitions", workload: "txn-rw-register", nodeCount: 2, timeLimitS: 20, rate: 1000, concurrency: "2n", consistencyModels: "read-uncommitted", availability: "total" },
        { label: "with partitions", workload: "txn-rw-register", nodeCount: 2, timeLimitS: 20, rate: 1000, concurrency: "2n", consistencyModels: "read-uncommitted", availability: "total", nemesis: "partition" },
      ],
      "read-committed-transactions": [{ workload: "txn-rw-register", nodeCount: 2, timeLimitS: 20, rate: 1000, concurrency: "2n", consistencyModels: "read-committed", availability: "total", nemesis: "partition" }],
    });
  });

  for (const key of ["single-node-transactions", "read-uncommitted-transactions", "read-committed-transactions"]) {
    it(`the reference txn node passes ${key}`, async () => {
      const r = await stage(key, [join(GG, "main.js"), "txn-rw-register"], "4");
      assert.equal(r.code, 0, r.out);
      assert.equal(r.results.valid, true);
      assert.match(r.out, /VALID: the history passed every check\./);
      // With two nodes, the final reads find the copies agree after the partitions.
      if (key !== "single-node-transactions") assert.deepEqual(r.results.checker["final-reads"], { converged: true, "keys-disagreeing": 0, "nodes-silent": [] });
    });
  }

  it("a node that exposes a transaction's intermediate writes fails read committed with G1b, its witness written out", async () => {
    const r = await stage("read-committed-transactions", [join(GG, "broken", "txn-intermediate-writes.js")], "4");
    assert.equal(r.code, 1, r.out);
    assert.equal(r.results.valid, false);
    assert.ok((r.results.checker["anomaly-types"] as string[]).includes("G1b"), r.out);
    assert.match(r.out, /The history is not read-committed: .*G1b ×\d+/);
    assert.match(r.out, /Intermediate read \(G1b\): T\d+ read \d+=\d+, but T\d+ wrote \d+ again after writing \d+/);
    // The same node is read uncommitted: the stage before passes it.
    const ru = await stage("read-uncommitted-transactions", [join(GG, "broken", "txn-intermediate-writes.js")], "3");
    assert.equal(ru.code, 0, ru.out);
  });

  it("a node that keeps the writes of transactions it aborted (error 30) fails read committed with G1a", async () => {
    const r = await stage("read-committed-transactions", [join(GG, "broken", "txn-aborted-reads.js")], "3");
    assert.equal(r.code, 1, r.out);
    assert.ok((r.results.checker["anomaly-types"] as string[]).includes("G1a"), r.out);
    assert.match(r.out, /txn +\d+ total +\d+ ok +[1-9]\d* fail/);
    assert.match(r.out, /The history is not read-committed: .*G1a ×\d+/);
    // The witness, written out: the reader, the aborted writer, and why it matters.
    assert.match(r.out, /Aborted read \(G1a\): T\d+ read \d+=\d+, written by T\d+, a transaction that aborted: its writes must never be seen\./);
    assert.match(r.out, /T\d+ \(c\d+, aborted\): .*w\(\d+, \d+\)/);
  });

  it("txn-list-append: the reference node on two nodes, partitioned, is strict serializable, with Maelstrom's flags", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "clstr-txn-"));
    const flags = ["-w", "txn-list-append", "--bin", process.execPath, join(GG, "main.js"), "txn-list-append", "--node-count", "2", "--concurrency", "2n", "--time-limit", "3", "--rate", "300"];
    const r = await execa(process.execPath, [CLI, "maelstrom", "test", ...flags, "--key-count", "4", "--max-txn-length", "4", "--max-writes-per-key", "8", "--nemesis", "partition", "--nemesis-interval", "1"], { cwd, reject: false, env: { NO_COLOR: "1" } });
    assert.equal(r.exitCode, 0, String(r.stdout) + String(r.stderr));
    assert.match(String(r.stdout), /consistency-models: \["strict-serializable"\]/);
    assert.match(String(r.stdout), /final-reads: \{"converged":true/);
    const bad = await execa(process.execPath, [CLI, "maelstrom", "test", ...flags, "--consistency-models", "read-comitted"], { cwd, reject: false, env: { NO_COLOR: "1" } });
    assert.equal(bad.exitCode, 254);
    assert.match(String(bad.stderr), /--consistency-models has "read-comitted"; use comma-separated models from read-uncommitted, read-committed/);
  });

  it("a node that sends its writes once, so a partition drops them, fails: the final reads disagree, the lost writes written out", async () => {
    const r = await stage("read-committed-transactions", [join(GG, "broken", "txn-lost-partition-writes.js")], "4");
    assert.equal(r.code, 1, r.out);
    const finals = r.results.checker["final-reads"] as { converged: boolean; "keys-disagreeing": number };
    assert.equal(finals.converged, false, r.out);
    assert.ok(finals["keys-disagreeing"] > 0);
    // Every transaction it answered is still read committed: the only failure is the lost writes.
    assert.deepEqual(r.results.checker.anomalies, [], r.out);
    assert.match(r.out, /Lost writes: after the network healed and the clients stopped, the 2 nodes still disagree on \d+ keys?/);
    assert.match(r.out, /key \d+: n0 reads \d+, n1 reads \d+\./);
    assert.match(r.out, /n\d's value was written by T\d+ \(c\d+, committed\): .*w\(\d+, \d+\).* \(on n\d, acknowledged at \d+\.\d\d s\)\./);
  });

  it("a node that forwards every transaction to one node fails total availability under partitions", async () => {
    const r = await stage("read-uncommitted-transactions", [join(GG, "broken", "txn-leader-only.js")], "4");
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /availability: invalid/);
    assert.match(r.out, /availability total: \d+ of \d+ requests were not acknowledged \([\d.]+% succeeded\), e\.g\. txn to n\d: error 11 \(temporarily-unavailable\)/);
  });
});

describe("a Maelstrom stage of several tests (6b runs without, then with partitions)", () => {
  /** Runs a stage of labelled 2 s tests through the stage runner, collecting what a reporter hears. */
  async function runStage(tests: MaelstromTest[], bin: string) {
    const dir = mkdtempSync(join(tmpdir(), "clstr-runs-"));
    const stage = { key: "read-uncommitted-transactions", name: "Runs", kind: "maelstrom" as const, tests };
    const heard: { name: string; status: string; failure?: string }[] = [];
    const finished: SuiteResult[] = [];
    const reporter: Reporter = {
      stageStarted: () => ({ testFinished: (t) => heard.push({ name: t.name, status: t.status, ...(t.failure ? { failure: t.failure } : {}) }), startupFailed: () => {} }),
      stageFinished: (_run, result) => finished.push(result),
      finished: () => {},
    };
    const outcome = await runMaelstromStages(dir, { challenge: "gossip-glomers", stage: stage.key, run: `${process.execPath} ${bin}` } as ClstrConfig, { ...gossipGlomers, stages: [stage] }, [stage], reporter, 7);
    return { outcome, heard, finished, dir };
  }
  const short = (label: string, extra: Partial<MaelstromTest> = {}): MaelstromTest => ({ label, workload: "txn-rw-register", nodeCount: 2, timeLimitS: 2, rate: 300, concurrency: "2n", consistencyModels: "read-uncommitted", availability: "total", ...extra });

  it("runs each test in turn, each in its own folder, its tests named with its label", async () => {
    const { heard, finished, dir } = await runStage([short("without partitions"), short("with partitions", { nemesis: "partition", nemesisIntervalS: 0.5 })], join(GG, "main.js"));
    assert.equal(finished[0]?.passed, true, JSON.stringify(heard, null, 2));
    assert.deepEqual(heard.map((t) => t.name), [
      "Nodes Speak the Maelstrom Protocol, without partitions",
      "The txn-rw-register History Is Valid, without partitions",
      "Nodes Speak the Maelstrom Protocol, with partitions",
      "The txn-rw-register History Is Valid, with partitions",
    ]);
    for (const run of ["1-without-partitions", "2-with-partitions"]) {
      const results = JSON.parse(readFileSync(join(dir, ".clstr", "maelstrom", "read-uncommitted-transactions", run, "results.json"), "utf8")) as { valid: unknown };
      assert.equal(results.valid, true, run);
    }
  });

  it("stops at the first test that fails: a node that loses partitioned writes passes the healthy run and fails the partitioned one", async () => {
    const { heard, finished } = await runStage(
      [short("without partitions"), short("with partitions", { nemesis: "partition", nemesisIntervalS: 0.5 }), short("once more")],
      join(GG, "broken", "txn-lost-partition-writes.js"),
    );
    assert.equal(finished[0]?.passed, false);
    assert.deepEqual(heard.map((t) => `${t.name}: ${t.status}`), [
      "Nodes Speak the Maelstrom Protocol, without partitions: passed",
      "The txn-rw-register History Is Valid, without partitions: passed",
      "Nodes Speak the Maelstrom Protocol, with partitions: passed",
      "The txn-rw-register History Is Valid, with partitions: failed",
    ]);
    assert.match(heard[3]!.failure!, /Lost writes: /);
  });
});
