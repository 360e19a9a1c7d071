import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { availabilityChecker } from "../../src/maelstrom/checkers/availability.js";
import { compose, worst, type Checker, type RunFacts, type Verdict } from "../../src/maelstrom/checkers/checker.js";
import { runCheckers } from "../../src/maelstrom/checkers/index.js";
import { latencyChecker } from "../../src/maelstrom/checkers/latency.js";
import { netStats } from "../../src/maelstrom/checkers/network.js";
import { maxLatencyBelow, medianLatencyBelow, msgsPerOpBelow, thresholdCheckers } from "../../src/maelstrom/checkers/thresholds.js";
import { workloadChecker } from "../../src/maelstrom/checkers/workload.js";
import type { Operation } from "../../src/maelstrom/history.js";
import type { NetCounts } from "../../src/maelstrom/network.js";
import type { Body } from "../../src/maelstrom/protocol.js";
import { broadcastWorkload, checkBroadcast } from "../../src/maelstrom/workloads/broadcast.js";
import { uniqueIdsWorkload } from "../../src/maelstrom/workloads/uniqueIds.js";

const ANSI = /\u001b\[/;

let clock = 0;
function op(node: string, request: Body, outcome: Operation["outcome"], reply?: Body, extra: Partial<Operation> = {}): Operation {
  clock += 10;
  return { client: "c1", node, f: request.type, request, invokedAt: clock, completedAt: clock + 5, outcome, ...(reply ? { reply } : {}), ...extra };
}

function counts(msgCount: number): NetCounts {
  return { sendCount: msgCount, recvCount: msgCount, msgCount, dropCount: 0 };
}

/** Facts of a run with `ops` main-phase operations and `serverMsgs` messages between nodes. */
function facts(ops: number, serverMsgs: number, stableLatencies?: number[]): RunFacts {
  const history = Array.from({ length: ops }, (_, i) => op("n0", { type: "echo", echo: i }, "ok", { type: "echo_ok", echo: i }));
  return { history, nodes: ["n0"], net: netStats({ all: counts(serverMsgs + 2 * ops), clients: counts(2 * ops), servers: counts(serverMsgs) }, history), ...(stableLatencies ? { stableLatencies } : {}) };
}

const fixed = (name: string, v: Verdict): Checker => ({ name, check: () => v });

describe("composing checkers", () => {
  it("gives the worst verdict: false over unknown over true", () => {
    assert.equal(worst([]), true);
    assert.equal(worst([true, true]), true);
    assert.equal(worst([true, "unknown", true]), "unknown");
    assert.equal(worst(["unknown", false, true]), false);
  });

  it("keeps every part's figures and failure text, in order", () => {
    const composed = compose([
      fixed("a", { valid: true, figures: { count: 3 }, failures: [] }),
      fixed("b", { valid: "unknown", figures: { keys: ["x"] }, failures: ["key x: too many operations to decide"] }),
      fixed("c", { valid: false, figures: { lost: 2 }, failures: ["2 values were lost", "n1 did not answer its final read"] }),
    ]).check(facts(1, 0));
    assert.equal(composed.valid, false);
    assert.deepEqual(composed.failures, ["key x: too many operations to decide", "2 values were lost", "n1 did not answer its final read"]);
    assert.deepEqual(composed.figures, { a: { count: 3 }, b: { keys: ["x"] }, c: { lost: 2 } });
    assert.deepEqual(Object.keys(composed.parts), ["a", "b", "c"]);
    assert.deepEqual(composed.parts.c, { valid: false, figures: { lost: 2 }, failures: ["2 values were lost", "n1 did not answer its final read"] });
    const unknown = compose([fixed("a", { valid: true, figures: {}, failures: [] }), fixed("b", { valid: "unknown", figures: {}, failures: ["?"] })]).check(facts(1, 0));
    assert.equal(unknown.valid, "unknown");
  });

  it("refuses two parts with one name", () => {
    assert.throws(() => compose([fixed("a", { valid: true, figures: {}, failures: [] }), fixed("a", { valid: true, figures: {}, failures: [] })]), /two checkers are named "a"/);
  });

  it("composes a run's checkers: the workload's, availability, net, latency, then the caller's", () => {
    const h = [
      op("n0", { type: "generate" }, "ok", { type: "generate_ok", id: 5 }),
      op("n1", { type: "generate" }, "ok", { type: "generate_ok", id: 5 }),
      op("n1", { type: "generate" }, "info"),
    ];
    const run: RunFacts = { history: h, nodes: ["n0", "n1"], net: netStats({ all: counts(40), clients: counts(6), servers: counts(34) }, h) };
    const extra = fixed("mine", { valid: true, figures: { seen: h.length }, failures: [] });
    const verdict = runCheckers(uniqueIdsWorkload(), { availability: "total", checkers: [extra] }).check(run);
    assert.deepEqual(Object.keys(verdict.parts), ["workload", "availability", "net", "latency", "mine"]);
    assert.equal(verdict.valid, false);
    assert.match(verdict.failures[0]!, /^id 5 was generated twice: by n0 .* and by n1/);
    assert.match(verdict.failures[1]!, /^availability total: 1 of 3 requests were not acknowledged \(66\.7% succeeded\), e\.g\. generate to n1: no reply within the timeout$/);
    assert.equal(verdict.failures.length, 2);
    assert.equal((verdict.parts.workload!.figures as { "duplicated-count": number })["duplicated-count"], 1);
    assert.deepEqual((verdict.parts.net!.figures as { servers: unknown }).servers, { "send-count": 34, "recv-count": 34, "msg-count": 34, "msgs-per-op": 11.333, "drop-count": 0 });
    assert.deepEqual(verdict.parts.mine!.figures, { seen: 3 });
    for (const f of verdict.failures) assert.doesNotMatch(f, ANSI);
  });

  it("turns a workload's check into its part, losing nothing", () => {
    const h = [op("n0", { type: "broadcast", message: 7 }, "ok", { type: "broadcast_ok" }), op("n0", { type: "read" }, "ok", { type: "read_ok", messages: [] }, { final: true })];
    const direct = checkBroadcast(h, ["n0"]);
    const part = workloadChecker(broadcastWorkload({ nodes: ["n0"], clients: 1, random: () => 0.5, topology: "grid" })).check({ history: h, nodes: ["n0"], net: netStats({ all: counts(0), clients: counts(0), servers: counts(0) }, h) });
    const { valid, problems, ...figures } = direct;
    assert.deepEqual(part, { valid, figures, failures: problems });
    assert.equal(part.valid, false);
  });

  it("measures stable latencies the way the broadcast checker reports them", () => {
    const h = [
      op("n0", { type: "broadcast", message: 1 }, "ok", { type: "broadcast_ok" }),
      op("n1", { type: "read" }, "ok", { type: "read_ok", messages: [] }),
      op("n1", { type: "read" }, "ok", { type: "read_ok", messages: [1] }, { final: true }),
      op("n0", { type: "read" }, "ok", { type: "read_ok", messages: [1] }, { final: true }),
    ];
    const workload = broadcastWorkload({ nodes: ["n0", "n1"], clients: 1, random: () => 0.5, topology: "grid" });
    const stable = workload.stableLatencies!(h);
    assert.deepEqual(stable, [10]);
    const latency = latencyChecker().check({ history: h, nodes: ["n0", "n1"], net: netStats({ all: counts(0), clients: counts(0), servers: counts(0) }, h), stableLatencies: stable });
    assert.equal(latency.valid, true);
    assert.deepEqual(latency.figures["stable-latencies"], checkBroadcast(h, ["n0", "n1"])["stable-latencies"]);
    assert.deepEqual(latency.figures["operation-latencies"], { min: 5, median: 5, p95: 5, p99: 5, max: 5 });
  });

  it("checks availability as before: a fraction, or every request", () => {
    const h = [op("n0", { type: "echo" }, "ok", { type: "echo_ok" }), op("n0", { type: "echo" }, "fail", { type: "error", code: 11 }), op("n0", { type: "echo" }, "ok", { type: "echo_ok" })];
    const run: RunFacts = { history: h, nodes: ["n0"], net: netStats({ all: counts(0), clients: counts(0), servers: counts(0) }, h) };
    assert.equal(availabilityChecker(0.5).check(run).valid, true);
    const strict = availabilityChecker(0.9).check(run);
    assert.equal(strict.valid, false);
    assert.match(strict.failures[0]!, /^availability 0\.9: 1 of 3 requests were not acknowledged \(66\.7% succeeded, 90\.0% must\), e\.g\. echo to n0: error 11/);
  });
});

describe("threshold checkers", () => {
  it("pass below the messages-per-operation limit and fail at or above it, saying what was measured", () => {
    const limit = msgsPerOpBelow(30);
    assert.equal(limit.title, "Messages per Operation Below 30");
    assert.ok(limit.hint.length > 0);
    const pass = limit.check(facts(100, 2900));
    assert.deepEqual(pass, { valid: true, figures: { value: 29, limit: 30 }, failures: [] });
    const atLimit = limit.check(facts(100, 3000));
    assert.equal(atLimit.valid, false);
    const fail = limit.check(facts(100, 3512));
    assert.equal(fail.valid, false);
    assert.deepEqual(fail.failures, ["Measured: 35.12 server messages per operation (3512 messages between nodes for 100 client operations).\nExpected: below 30."]);
    assert.doesNotMatch(fail.failures[0]!, ANSI);
  });

  it("check the median and maximum stable latency, and fail when none was measured", () => {
    const latencies = [100, 200, 300, 400, 900];
    const median = medianLatencyBelow(400);
    const max = maxLatencyBelow(600);
    assert.equal(median.check(facts(5, 0, latencies)).valid, true);
    assert.deepEqual(max.check(facts(5, 0, latencies)), {
      valid: false,
      figures: { value: 900, limit: 600 },
      failures: ["Measured: maximum stable latency 900 ms.\nExpected: below 600."],
    });
    assert.deepEqual(medianLatencyBelow(300).check(facts(5, 0, latencies)).failures, ["Measured: median stable latency 300 ms (from a broadcast until every read everywhere includes it).\nExpected: below 300."]);
    assert.equal(max.check(facts(5, 0, [100, 599])).valid, true);
    const none = median.check(facts(5, 0));
    assert.equal(none.valid, false);
    assert.match(none.failures[0]!, /median stable latency unknown/);
  });

  it("are made from a stage's thresholds, one per limit given, and compose with the rest", () => {
    assert.deepEqual(thresholdCheckers({}).map((c) => c.name), []);
    const all = thresholdCheckers({ msgsPerOp: 20, medianLatencyMs: 1000, maxLatencyMs: 2000 });
    assert.deepEqual(all.map((c) => c.title), ["Messages per Operation Below 20", "Median Latency Below 1000 ms", "Maximum Latency Below 2000 ms"]);
    const verdict = compose(all).check(facts(10, 300, [500, 2500]));
    assert.equal(verdict.valid, false);
    assert.deepEqual(
      Object.entries(verdict.parts).map(([n, p]) => [n, p.valid]),
      [["msgs-per-op-threshold", false], ["median-latency-threshold", false], ["max-latency-threshold", false]],
    );
    assert.equal(verdict.failures.length, 3);
    assert.equal(compose(all).check(facts(10, 100, [500, 900])).valid, true);
  });
});
