import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";
import { gossipGlomers } from "../../src/challenges/gossip-glomers/index.js";
import type { MaelstromTest } from "../../src/challenges/types.js";
import { packageRoot } from "../../src/util/packageRoot.js";

// The transaction stages (Gossip Glomers 6a–6c) on the engine: the reference
// node passes each with the stage's own parameters (shorter runs, partitions
// every second), and a node that exposes intermediate writes fails read
// committed with G1b named and explained.
const CLI = join(packageRoot, "dist", "src", "cli", "main.js");
const GG = join(packageRoot, "solutions", "gossip-glomers", "dist");

/** `clstr maelstrom test` with a stage's flags, its time limit replaced. */
async function stage(key: string, bin: string[], timeLimit: string) {
  const s = gossipGlomers.stages.find((x) => x.key === key);
  assert.ok(s && s.kind === "maelstrom", `${key} is a maelstrom stage`);
  const m: MaelstromTest = s.test;
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
    const tests = Object.fromEntries(gossipGlomers.stages.filter((s) => s.kind === "maelstrom" && s.test.workload === "txn-rw-register").map((s) => [s.key, s.kind === "maelstrom" && s.test]));
    assert.deepEqual(tests, {
      "single-node-transactions": { workload: "txn-rw-register", nodeCount: 1, timeLimitS: 20, rate: 1000, concurrency: "2n", consistencyModels: "read-uncommitted", availability: "total" },
      "read-uncommitted-transactions": { workload: "txn-rw-register", nodeCount: 2, timeLimitS: 20, rate: 1000, concurrency: "2n", consistencyModels: "read-uncommitted", availability: "total", nemesis: "partition" },
      "read-committed-transactions": { workload: "txn-rw-register", nodeCount: 2, timeLimitS: 20, rate: 1000, concurrency: "2n", consistencyModels: "read-committed", availability: "total", nemesis: "partition" },
    });
  });

  for (const key of ["single-node-transactions", "read-uncommitted-transactions", "read-committed-transactions"]) {
    it(`the reference txn node passes ${key}`, async () => {
      const r = await stage(key, [join(GG, "main.js"), "txn-rw-register"], "4");
      assert.equal(r.code, 0, r.out);
      assert.equal(r.results.valid, true);
      assert.match(r.out, /VALID: the history passed every check\./);
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
  });

  it("txn-list-append: the reference node on one node is strict serializable, with Maelstrom's flags", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "clstr-txn-"));
    const flags = ["-w", "txn-list-append", "--bin", process.execPath, join(GG, "main.js"), "txn-list-append", "--node-count", "1", "--concurrency", "2n", "--time-limit", "2", "--rate", "300"];
    const r = await execa(process.execPath, [CLI, "maelstrom", "test", ...flags, "--key-count", "4", "--max-txn-length", "4", "--max-writes-per-key", "8"], { cwd, reject: false, env: { NO_COLOR: "1" } });
    assert.equal(r.exitCode, 0, String(r.stdout) + String(r.stderr));
    assert.match(String(r.stdout), /consistency-models: \["strict-serializable"\]/);
    const bad = await execa(process.execPath, [CLI, "maelstrom", "test", ...flags, "--consistency-models", "read-comitted"], { cwd, reject: false, env: { NO_COLOR: "1" } });
    assert.equal(bad.exitCode, 254);
    assert.match(String(bad.stderr), /--consistency-models has "read-comitted"; use comma-separated models from read-uncommitted, read-committed/);
  });

  it("a node that forwards every transaction to one node fails total availability under partitions", async () => {
    const r = await stage("read-uncommitted-transactions", [join(GG, "broken", "txn-leader-only.js")], "4");
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /availability: invalid/);
  });
});
