import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkHistory, checkHistorySync } from "../../src/checkers/linearizability/check.js";
import { pairOperations, type HistoryEvent, type Value } from "../../src/checkers/linearizability/history.js";
import { MODELS, modelNamed } from "../../src/checkers/linearizability/models.js";
import type { Operation } from "../../src/maelstrom/history.js";
import { checkLinKv } from "../../src/maelstrom/workloads/linKv.js";

/** A history from compact rows: [process, type, f, value, key?]; times are the rows' positions. */
function history(rows: [number | string, HistoryEvent["type"], string, Value, Value?][]) {
  return pairOperations(rows.map(([process, type, f, value, key]) => ({ process, type, f, value, ...(key === undefined ? {} : { key }) })));
}
const check = (model: string, rows: Parameters<typeof history>[0]) => checkHistorySync(history(rows), modelNamed(model));

describe("linearizability checker", () => {
  it("accepts a register history that some order explains, overlapping reads seeing either value", () => {
    const r = check("register", [
      [0, "invoke", "write", 1],
      [0, "ok", "write", 1],
      [0, "invoke", "write", 2],
      [1, "invoke", "read", null],
      [1, "ok", "read", 1], // overlaps the write of 2: may see 1
      [0, "ok", "write", 2],
      [1, "invoke", "read", null],
      [1, "ok", "read", 2],
    ]);
    assert.equal(r.outcome, "ok");
    assert.equal(r.parts.length, 1);
  });

  it("rejects a stale read and explains it: the longest order, the operation that cannot follow, and the real-time reason", () => {
    const r = check("register", [
      [3, "invoke", "write", 1],
      [3, "ok", "write", 1],
      [2, "invoke", "read", null],
      [2, "ok", "read", 1],
      [5, "invoke", "read", null],
      [5, "ok", "read", 0],
    ]);
    assert.equal(r.outcome, "illegal");
    const part = r.parts[0]!;
    assert.deepEqual(part.prefix, [0, 1]);
    assert.deepEqual(part.stuck, [2]);
    assert.deepEqual(part.states, ["the value was 1"]);
    assert.match(part.explanation![0]!, /^After write\(1\) by client 3 and read\(\) → 1 by client 2 \(the value was 1\), read\(\) → 0 by client 5 cannot be placed/);
    assert.match(part.explanation![1]!, /It started after read\(\) → 1 by client 2 finished/);
  });

  it("lets an operation of unknown outcome take effect any time after its call, or never, but not before it", () => {
    const base: Parameters<typeof history>[0] = [
      [0, "invoke", "write", 1],
      [0, "ok", "write", 1],
      [1, "invoke", "write", 2],
      [1, "info", "write", 2],
    ];
    assert.equal(check("register", [...base, [2, "invoke", "read", null], [2, "ok", "read", 1], [2, "invoke", "read", null], [2, "ok", "read", 2]]).outcome, "ok");
    assert.equal(check("register", [...base, [2, "invoke", "read", null], [2, "ok", "read", 1]]).outcome, "ok");
    // Once seen, its effect cannot be undone.
    assert.equal(check("register", [...base, [2, "invoke", "read", null], [2, "ok", "read", 2], [2, "invoke", "read", null], [2, "ok", "read", 1]]).outcome, "illegal");
    // Not before its call.
    assert.equal(check("register", [[2, "invoke", "read", null], [2, "ok", "read", 2], ...base]).outcome, "illegal");
    // An invoke never completed is of unknown outcome too.
    assert.equal(check("register", [[1, "invoke", "write", 2], [2, "invoke", "read", null], [2, "ok", "read", 2]]).outcome, "ok");
  });

  it("leaves out writes of unknown outcome whose value nobody observed, so that a history full of timeouts stays quick to check", () => {
    const rows: Parameters<typeof history>[0] = [];
    // Sixty timed-out writes of values nobody reads: with all of them in the search it would have to try their subsets.
    for (let p = 0; p < 60; p++) rows.push([p, "invoke", "put", `lost-${p}`, "x"], [p, "info", "put", `lost-${p}`, "x"]);
    rows.push([100, "invoke", "put", "seen", "x"], [100, "info", "put", "seen", "x"], [101, "invoke", "get", null, "x"], [101, "ok", "get", "seen", "x"]);
    const started = Date.now();
    const r = check("kv-cas", rows);
    assert.equal(r.outcome, "ok");
    assert.deepEqual(r.parts[0]!.operations.length, 2, "only the observed write and the read are searched");
    assert.ok(Date.now() - started < 1_000);
    // A timed-out write that a read saw stays in, and its effect must fit the order: once seen, it cannot vanish.
    rows.push([101, "invoke", "get", null, "x"], [101, "ok", "get", null, "x"]);
    assert.equal(check("kv-cas", rows).outcome, "illegal");
  });

  it("leaves failed operations out: they never took effect", () => {
    const rows: Parameters<typeof history>[0] = [
      [0, "invoke", "cas", [null, 1]],
      [0, "ok", "cas", [null, 1]],
      [1, "invoke", "cas", [5, 6]],
      [1, "fail", "cas", [5, 6]],
      [2, "invoke", "read", null],
      [2, "ok", "read", 1],
    ];
    assert.equal(check("cas-register", rows).outcome, "ok");
    assert.equal(history(rows).failed, 1);
    // A cas that claims success from a value the register never held.
    assert.equal(check("cas-register", [...rows, [1, "invoke", "cas", [5, 6]], [1, "ok", "cas", [5, 6]]]).outcome, "illegal");
  });

  it("checks key-value models per key, so a violation on one key is found and named", () => {
    const r = check("kv-cas", [
      [0, "invoke", "put", 1, "x"],
      [0, "ok", "put", 1, "x"],
      [1, "invoke", "put", 7, "y"],
      [1, "ok", "put", 7, "y"],
      [0, "invoke", "delete", null, "x"],
      [0, "ok", "delete", null, "x"],
      [2, "invoke", "get", null, "x"],
      [2, "ok", "get", 1, "x"],
      [2, "invoke", "get", null, "y"],
      [2, "ok", "get", 7, "y"],
    ]);
    assert.equal(r.outcome, "illegal");
    assert.deepEqual(r.parts.filter((p) => p.outcome === "illegal").map((p) => p.label), ['key "x"']);
    assert.deepEqual(r.parts.find((p) => p.label === 'key "x"')!.states, ["the key was not found"]);
  });

  it("knows the 6.824 kv semantics: a missing key reads as empty and appends concatenate, checked as one object too", () => {
    const rows: Parameters<typeof history>[0] = [
      [0, "invoke", "get", null, "a"],
      [0, "ok", "get", "", "a"],
      [0, "invoke", "append", "x", "a"],
      [0, "ok", "append", "x", "a"],
      [1, "invoke", "append", "y", "a"],
      [1, "ok", "append", "y", "a"],
      [1, "invoke", "put", "z", "b"],
      [1, "ok", "put", "z", "b"],
      [2, "invoke", "get", null, "a"],
      [2, "ok", "get", "xy", "a"],
    ];
    assert.equal(check("kv", rows).outcome, "ok");
    assert.equal(checkHistorySync(history(rows), modelNamed("kv"), { partition: false }).outcome, "ok");
    rows[9] = [2, "ok", "get", "yx", "a"];
    assert.equal(checkHistorySync(history(rows), modelNamed("kv"), { partition: false }).outcome, "illegal");
  });

  it("reads Jepsen's independent lin-kv histories, the key inside the value", () => {
    const r = check("lin-kv", [
      [0, "invoke", "write", [1, 3]],
      [0, "ok", "write", [1, 3]],
      [1, "invoke", "read", [1, null]],
      [1, "ok", "read", [1, 4]],
    ]);
    assert.equal(r.outcome, "illegal");
    assert.equal(r.parts[0]!.label, "key 1");
  });

  it("pairs fault events into intervals: Jepsen's start and stop, a kill ended by the same node's restart, a heal ending only partitions", () => {
    const nemesis = (f: string, value: Value, time: number): HistoryEvent => ({ process: "nemesis", type: "info", f, value, time });
    const h = pairOperations([
      nemesis("start", null, 0),
      nemesis("stop", null, 10),
      nemesis("kill", "n1", 20),
      nemesis("kill", "n2", 21),
      nemesis("partition", [["n1"], ["n2", "n3"]], 22),
      nemesis("impair", "n3", 23),
      nemesis("restart", "n2", 30),
      nemesis("heal", null, 40),
      nemesis("restart", "n1", 50),
    ]);
    assert.deepEqual(
      h.nemesis.map((n) => [n.f, n.start, n.end]),
      [
        ["start", 0, 10],
        ["kill", 20, 50],
        ["kill", 21, 30],
        ["partition", 22, 40],
        ["impair", 23, Infinity],
      ],
    );
  });

  it("says what is wrong with an operation the model does not know, with its line", () => {
    const h = pairOperations([
      { process: 0, type: "invoke", f: "incr", value: 1, line: 7 },
      { process: 0, type: "ok", f: "incr", value: 1, line: 8 },
    ]);
    assert.throws(() => checkHistorySync(h, MODELS.register!), /line 7: register knows read and write, not incr/);
  });

  it("answers unknown, never a crash, when the time or the memory runs out", () => {
    // Many concurrent writes and a read no order explains: the search has to try a great many orders.
    const rows: Parameters<typeof history>[0] = [];
    for (let p = 0; p < 14; p++) rows.push([p, "invoke", "write", p]);
    for (let p = 0; p < 14; p++) rows.push([p, "ok", "write", p]);
    rows.push([99, "invoke", "read", null], [99, "ok", "read", 99]);
    const h = history(rows);
    assert.equal(checkHistorySync(h, MODELS.register!).outcome, "illegal");
    const tight = checkHistorySync(h, MODELS.register!, { memoryBytes: 300_000 });
    assert.equal(tight.outcome, "unknown");
    assert.match(tight.parts[0]!.reason!, /the search needed more than its 0 MiB of memory/);
    const slow = checkHistorySync(h, MODELS.register!, { timeoutMs: 0 });
    assert.equal(slow.outcome, "unknown");
    assert.equal(slow.parts[0]!.reason, "no answer within the time budget");
  });

  it("gives the same verdicts on worker threads, and stops the other parts once one is illegal", async () => {
    const rows: Parameters<typeof history>[0] = [];
    for (let k = 0; k < 40; k++) {
      for (let i = 0; i < 60; i++) {
        rows.push([k, "invoke", "put", i, `k${k}`], [k, "ok", "put", i, `k${k}`], [k + 100, "invoke", "get", null, `k${k}`], [k + 100, "ok", "get", i, `k${k}`]);
      }
    }
    const good = history(rows);
    const threads = await checkHistory(good, "kv-cas", { workers: 2 });
    assert.equal(threads.outcome, "ok");
    assert.equal(threads.parts.length, 40);
    rows.push([7, "invoke", "get", null, "k3"], [7, "ok", "get", 5, "k3"]);
    const bad = await checkHistory(history(rows), "kv-cas", { workers: 2 });
    assert.equal(bad.outcome, "illegal");
    assert.deepEqual(bad.parts.filter((p) => p.outcome === "illegal").map((p) => p.label), ['key "k3"']);
    assert.deepEqual(checkHistorySync(history(rows), MODELS["kv-cas"]!).outcome, "illegal");
  });
});

describe("lin-kv workload checker", () => {
  let clock = 0;
  const op = (key: number, request: { type: string } & Record<string, unknown>, outcome: Operation["outcome"], reply?: Record<string, unknown>): Operation => {
    clock += 10;
    return { client: "c1", node: "n0", f: String(request.type), request: { ...request, key }, invokedAt: clock, completedAt: clock + 5, outcome, ...(reply ? { reply: reply as Operation["reply"] } : {}) };
  };
  it("checks each key on its own, treats 'key does not exist' as reading an absent key, and explains a violation", () => {
    const good = [
      op(1, { type: "read" }, "fail", { type: "error", code: 20 }),
      op(1, { type: "write", value: 3 }, "ok", { type: "write_ok" }),
      op(2, { type: "write", value: 4 }, "ok", { type: "write_ok" }),
      op(1, { type: "cas", from: 3, to: 0 }, "ok", { type: "cas_ok" }),
      op(2, { type: "cas", from: 1, to: 0 }, "fail", { type: "error", code: 22 }),
      op(1, { type: "read" }, "ok", { type: "read_ok", value: 0 }),
      op(2, { type: "read" }, "ok", { type: "read_ok", value: 4 }),
    ];
    const r = checkLinKv(good);
    assert.equal(r.valid, true, r.problems.join("\n"));
    assert.equal(r["keys-checked"], 2);

    const bad = [...good, op(2, { type: "read" }, "fail", { type: "error", code: 20 })];
    const b = checkLinKv(bad);
    assert.equal(b.valid, false);
    assert.deepEqual(b["non-linearizable-keys"], ["2"]);
    assert.match(b.problems[0]!, /key 2 is not linearizable: .*\(the key held 4\), read\(2\) → nil by c1 cannot be placed/);
  });
});
