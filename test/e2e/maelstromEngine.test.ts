import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";
import { packageRoot } from "../../src/util/packageRoot.js";

// The Maelstrom engine under load (issue 17): clients never spin, zero-latency
// hops cost an event-loop turn, not a 1 ms timer, and a long kafka run against
// the lin-kv-based reference node stays VALID. The echo node is a fast Node
// node (a few µs a message), so the engine is what is measured. Timing
// figures are asserted with margins: the machine may be busy.
const CLI = join(packageRoot, "dist", "src", "cli", "main.js");
const FAST_ECHO = join(packageRoot, "test", "fixtures", "maelstrom", "node", "fast-echo.mjs");
const GG = join(packageRoot, "solutions", "gossip-glomers", "dist");

interface Results {
  valid: unknown;
  problems: string[];
  stats: Record<string, { count: number; ok: number }>;
}

async function maelstrom(timeoutMs: number, ...args: string[]) {
  const cwd = mkdtempSync(join(tmpdir(), "clstr-maelstrom-engine-"));
  const r = await execa(process.execPath, [CLI, "maelstrom", "test", ...args], { cwd, reject: false, env: { NO_COLOR: "1" }, timeout: timeoutMs });
  let results: Results | undefined;
  try {
    results = JSON.parse(readFileSync(join(cwd, "store", "latest", "results.json"), "utf8")) as Results;
  } catch {
    results = undefined;
  }
  return { code: r.exitCode, out: `${String(r.stdout)}\n${String(r.stderr)}`, results };
}

describe("maelstrom engine under load", () => {
  it("echo at 100,000/s offered with 1,000 clients on 5 nodes is VALID: every client makes progress", async () => {
    const r = await maelstrom(120_000, "-w", "echo", "--bin", process.execPath, FAST_ECHO, "--node-count", "5", "--concurrency", "1000", "--rate", "100000", "--time-limit", "5");
    assert.equal(r.results?.valid, true, r.out);
    assert.equal(r.code, 0, r.out);
    const ops = r.results!.stats.all!.count;
    // Far fewer than offered on a 2-core machine, but thousands a second, not a stall.
    assert.ok(ops >= 5_000, `only ${ops} echo operations in 5 s\n${r.out}`);
  });

  it("one client at --latency 0 is not held to a 1 ms timer per hop (thousands of operations a second)", async () => {
    // Each operation is two hops. With a 1 ms timer per hop one client cannot pass 500 ops/s;
    // with zero-delay hops it reaches 2,000 to 3,600 on this 2-core machine when it is quiet
    // (the goal, measured by the benchmark). The bar here is 1,000, with a second
    // attempt, so that a machine busy with other tests does not fail it.
    let best = 0;
    let out = "";
    for (let attempt = 0; attempt < 2 && best < 1_000; attempt++) {
      const r = await maelstrom(60_000, "-w", "echo", "--bin", process.execPath, FAST_ECHO, "--node-count", "1", "--concurrency", "1", "--rate", "100000", "--latency", "0", "--time-limit", "3");
      assert.equal(r.results?.valid, true, r.out);
      best = Math.max(best, r.results!.stats.all!.count / 3);
      out = r.out;
    }
    assert.ok(best >= 1_000, `one client reached ${Math.round(best)} ops/s at --latency 0\n${out}`);
  });
});

describe("maelstrom engine, long run [long: 60 s]", () => {
  it("kafka for 60 s at 1,000/s on 2 nodes with 2n clients, against the lin-kv-based reference node, is VALID", async () => {
    const r = await maelstrom(400_000, "-w", "kafka", "--bin", process.execPath, join(GG, "main.js"), "kafka", "--node-count", "2", "--concurrency", "2n", "--rate", "1000", "--time-limit", "60");
    assert.equal(r.results?.valid, true, r.out);
    assert.equal(r.code, 0, r.out);
    assert.ok(r.results!.stats.all!.count >= 6_000, `only ${r.results!.stats.all!.count} kafka operations in 60 s\n${r.out}`);
  });
});
