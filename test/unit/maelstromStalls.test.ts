import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import type { RunFacts } from "../../src/maelstrom/checkers/checker.js";
import { maxLatencyBelow } from "../../src/maelstrom/checkers/thresholds.js";
import { describeStalls, StallMonitor } from "../../src/maelstrom/stallMonitor.js";

describe("the engine's stalls", () => {
  it("a monitor notices the event loop held up, and nothing when it is not", async () => {
    const started = performance.now();
    const monitor = new StallMonitor(() => performance.now() - started);
    monitor.start();
    await sleep(120);
    const quiet = monitor.stalls.length;
    const busyUntil = performance.now() + 400;
    while (performance.now() < busyUntil) {
      // the engine starved: no timer can fire
    }
    await sleep(60);
    monitor.stop();
    assert.ok(quiet <= 1, `stalls while idle: ${JSON.stringify(monitor.stalls)}`);
    const longest = Math.max(...monitor.stalls.map((s) => s.ms));
    assert.ok(longest >= 300 && longest < 1000, `stalls: ${JSON.stringify(monitor.stalls)}`);
  });

  it("describes them, and a failed latency threshold says the machine was short of CPU", () => {
    const stalls = [{ at: 12_340, ms: 550 }, { at: 15_000, ms: 230 }];
    assert.equal(describeStalls(stalls), "held up 2 times (longest 550 ms, at 12.3 s; 780 ms in all)");
    assert.equal(describeStalls([]), undefined);
    const run = (s: RunFacts["stalls"]): RunFacts => ({ history: [], nodes: [], net: {} as RunFacts["net"], stableLatencies: [100, 200, 839], ...(s ? { stalls: s } : {}) });
    const failed = maxLatencyBelow(600).check(run(stalls));
    assert.equal(failed.valid, false);
    assert.match(failed.failures[0]!, /^Measured: maximum stable latency 839 ms\.\nExpected: below 600\.\nThe engine itself was held up 2 times \(longest 550 ms, at 12\.3 s; 780 ms in all\): this machine was short of CPU/);
    assert.equal(maxLatencyBelow(600).check(run([])).failures[0], "Measured: maximum stable latency 839 ms.\nExpected: below 600.");
    assert.equal(maxLatencyBelow(900).check(run(stalls)).valid, true);
  });
});
