import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { computeStats, describeStats, groupByNode } from "../../src/attest/stats.js";
import { formatDuration, parseDuration } from "../../src/util/duration.js";

describe("latency stats", () => {
  it("computes percentiles and the error rate", () => {
    const samples = Array.from({ length: 100 }, (_, i) => ({ node: "n1", ms: i + 1, passed: i % 10 !== 0 }));
    const s = computeStats(samples);
    assert.equal(s.count, 100);
    assert.equal(s.errorPct, 10);
    assert.equal(s.p50, 51);
    assert.equal(s.p95, 96);
    assert.equal(s.p99, 100);
    assert.equal(s.max, 100);
    assert.equal(describeStats(s), "CONCURRENTLY: 100 req, 10.00% err · p50=51ms p95=96ms p99=100ms max=100ms");
  });

  it("groups samples by node in node order", () => {
    const grouped = groupByNode([
      { node: "n2", ms: 1, passed: true },
      { node: "n1", ms: 2, passed: true },
      { node: "n2", ms: 3, passed: false },
    ]);
    assert.deepEqual([...grouped.keys()], ["n1", "n2"]);
    assert.equal(grouped.get("n2")!.length, 2);
  });

  it("formats and parses durations", () => {
    assert.equal(formatDuration(0.575), "575µs");
    assert.equal(formatDuration(15.7), "15ms");
    assert.equal(formatDuration(1730), "1.73s");
    assert.equal(parseDuration("500ms"), 500);
    assert.equal(parseDuration("1.5s"), 1500);
    assert.equal(parseDuration("fast"), undefined);
  });
});
