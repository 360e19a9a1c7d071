import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";
import { runTest } from "../../src/maelstrom/engine.js";
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

  it("one client at --latency 0: at least 2,000 operations per engine-CPU-second, and hops not held to a 1 ms timer", async () => {
    // Run in this process, so that the engine's CPU is this process's (process.cpuUsage).
    // The goal (issue 17) is 2,000 ops/s for one client at --latency 0. Wall-clock rates
    // depend on how busy the machine is (a single client waits on two process wake-ups an
    // operation), so the bar of 2,000 is on the engine's CPU: operations per CPU-second
    // of the engine, about 13,000 on this 2-core machine even with other tests running
    // (the wall rate there is 5,000-9,000 ops/s). A timer per hop would cost no CPU
    // while waiting, so the wall rate is held too, to 1,000 (a 1 ms timer per hop
    // cannot pass 500), with a second attempt for a machine busy with other tests.
    let bestWall = 0;
    let bestPerCpu = 0;
    let seen = "";
    for (let attempt = 0; attempt < 2 && (bestWall < 1_000 || bestPerCpu < 2_000); attempt++) {
      const cpu0 = process.cpuUsage();
      const r = await runTest({
        workload: "echo", bin: process.execPath, args: [FAST_ECHO], cwd: packageRoot, nodeCount: 1, timeLimitS: 3, rate: 100_000, concurrency: 1,
        latencyMs: 0, latencyDist: "constant", nemesis: [], nemesisIntervalS: 10, topology: "grid", storeDir: mkdtempSync(join(tmpdir(), "clstr-maelstrom-latency0-")),
      });
      const cpu = process.cpuUsage(cpu0);
      assert.equal(r.valid, true, r.problems.join("\n"));
      const ops = r.stats.all.count;
      const cpuS = (cpu.user + cpu.system) / 1e6;
      bestWall = Math.max(bestWall, ops / 3);
      bestPerCpu = Math.max(bestPerCpu, ops / cpuS);
      seen += `attempt ${attempt + 1}: ${ops} operations in 3 s (${Math.round(ops / 3)} ops/s), engine CPU ${cpuS.toFixed(2)} s (${Math.round(ops / cpuS)} ops per engine-CPU-second)\n`;
    }
    assert.ok(bestPerCpu >= 2_000, `one client at --latency 0: ${Math.round(bestPerCpu)} ops per engine-CPU-second, under 2,000\n${seen}`);
    assert.ok(bestWall >= 1_000, `one client at --latency 0 reached ${Math.round(bestWall)} ops/s: are hops waiting on timers?\n${seen}`);
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
