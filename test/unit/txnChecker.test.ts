// The transaction checker on small hand-written histories: valid ones are
// accepted, and each anomaly is found, named, and its witness is the right size.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkTransactions } from "../../src/checkers/transactions/check.js";
import { parseTxnHistory } from "../../src/checkers/transactions/formats/index.js";
import { readTxnHistory, type HistoryEvent, type Value } from "../../src/checkers/transactions/history.js";
import type { TxnCheckResult, Workload } from "../../src/checkers/transactions/result.js";
import { packageRoot } from "../../src/util/packageRoot.js";

type Mop = [string, string | number, Value];
type Spec = { mops: Mop[]; status?: "ok" | "fail" | "info" };

/** Invocations of every transaction first, then every completion: all concurrent, no real-time order. */
function concurrent(...txns: Spec[]): HistoryEvent[] {
  const invokes: HistoryEvent[] = txns.map((t, p) => ({ process: p, type: "invoke", f: "txn", value: t.mops.map(([f, k, v]) => [f, k, f === "r" ? null : v]), time: p }));
  const done: HistoryEvent[] = txns.map((t, p) => ({ process: p, type: t.status ?? "ok", f: "txn", value: t.mops, time: 100 + p }));
  return [...invokes, ...done];
}

/** One transaction after the other, on one client each. */
function sequential(...txns: Spec[]): HistoryEvent[] {
  return txns.flatMap((t, p) => [
    { process: p, type: "invoke", f: "txn", value: t.mops.map(([f, k, v]) => [f, k, f === "r" ? null : v]), time: 10 * p } as HistoryEvent,
    { process: p, type: t.status ?? "ok", f: "txn", value: t.mops, time: 10 * p + 5 } as HistoryEvent,
  ]);
}

const ok = (...mops: Mop[]): Spec => ({ mops });
const failed = (...mops: Mop[]): Spec => ({ mops, status: "fail" });
const check = (workload: Workload, events: HistoryEvent[]) => checkTransactions(readTxnHistory(events), { workload });

function found(r: TxnCheckResult, name: string, size?: number): void {
  const a = r.anomalies.find((x) => x.name === name);
  assert.ok(a, `expected ${name}, found ${JSON.stringify(r.counts)}`);
  if (size !== undefined) assert.equal(a.cycle?.length, size, a.explanation.join("\n"));
}

describe("txn checker: list-append", () => {
  it("accepts a serial history under every model", () => {
    const r = check("list-append", sequential(ok(["append", "x", 1]), ok(["r", "x", [1]], ["append", "x", 2]), ok(["r", "x", [1, 2]], ["r", "y", null])));
    assert.deepEqual(r.counts, {});
    assert.deepEqual(r.ruledOut, []);
    assert.deepEqual(r.strongest, ["strict-serializable"]);
    assert.equal(r.outcome, "ok");
  });

  it("G0: a cycle of appends ordered both ways", () => {
    const r = check("list-append", concurrent(ok(["append", "x", 1], ["append", "y", 1]), ok(["append", "x", 2], ["append", "y", 2]), ok(["r", "x", [1, 2]], ["r", "y", [2, 1]])));
    found(r, "G0", 2);
    assert.ok(r.ruledOut.includes("read-uncommitted"));
    assert.match(r.anomalies.find((a) => a.name === "G0")!.explanation.join("\n"), /T0 appended 1 to "x" and T1's append of 2 comes after it in "x"'s order, so T0 → T1 \(ww\)/);
  });

  it("G1a: a read of an aborted append", () => {
    const r = check("list-append", concurrent(failed(["append", "x", 1]), ok(["r", "x", [1]])));
    found(r, "G1a");
    assert.deepEqual(r.strongest, ["read-uncommitted"]);
    assert.equal(r.summary, "consistent with read-uncommitted but not read-committed");
  });

  it("G1b: a read of an intermediate append", () => {
    const r = check("list-append", concurrent(ok(["append", "x", 1], ["append", "x", 2]), ok(["r", "x", [1]])));
    found(r, "G1b");
    assert.ok(r.ruledOut.includes("read-committed") && !r.ruledOut.includes("read-uncommitted"));
  });

  it("G1c: each transaction read the other's append", () => {
    const r = check("list-append", concurrent(ok(["append", "x", 1], ["r", "y", [1]]), ok(["append", "y", 1], ["r", "x", [1]])));
    found(r, "G1c", 2);
    assert.deepEqual(r.strongest, ["read-uncommitted"]);
  });

  it("G-single: read skew, with the rw edge explained", () => {
    const r = check("list-append", concurrent(ok(["append", "x", 1], ["append", "y", 1]), ok(["r", "x", []], ["r", "y", [1]]), ok(["r", "x", [1]])));
    found(r, "G-single", 2);
    assert.deepEqual(r.strongest, ["read-committed"]);
    assert.match(r.anomalies.find((a) => a.name === "G-single")!.explanation.join("\n"), /T1 read "x"=\[\] and T0 appended 1, the first element of "x", so T1 → T0 \(rw\)/);
  });

  it("G2-item: write skew is allowed by snapshot isolation, not by serializability", () => {
    const r = check("list-append", concurrent(ok(["r", "x", []], ["append", "y", 1]), ok(["r", "y", []], ["append", "x", 1]), ok(["r", "x", [1]], ["r", "y", [1]])));
    found(r, "G2-item", 2);
    assert.deepEqual(r.strongest, ["snapshot-isolation"]);
    assert.ok(r.ruledOut.includes("repeatable-read") && r.ruledOut.includes("serializable"));
    assert.match(r.summary, /consistent with snapshot-isolation but not repeatable-read/);
  });

  it("lost update: two transactions read the same version and both appended", () => {
    const r = check("list-append", concurrent(ok(["r", "x", []], ["append", "x", 1]), ok(["r", "x", []], ["append", "x", 2]), ok(["r", "x", [1, 2]])));
    found(r, "lost-update");
    assert.ok(r.ruledOut.includes("snapshot-isolation"));
    assert.deepEqual(r.strongest, ["read-committed"]);
  });

  it("internal inconsistency, duplicates and incompatible orders are forbidden by every model", () => {
    for (const [name, events] of [
      ["internal", concurrent(ok(["append", "x", 1], ["r", "x", []]))],
      ["duplicate-elements", concurrent(ok(["append", "x", 1]), ok(["r", "x", [1, 1]]))],
      ["incompatible-order", concurrent(ok(["append", "x", 1]), ok(["append", "x", 2]), ok(["r", "x", [1, 2]]), ok(["r", "x", [2, 1]]))],
    ] as const) {
      const r = check("list-append", [...events]);
      found(r, name);
      assert.ok(r.ruledOut.includes("read-uncommitted"), name);
      assert.equal(r.strongest.length, 0);
    }
  });

  it("G-single-realtime: a stale read after the append completed breaks only strict serializability", () => {
    const events: HistoryEvent[] = [
      { process: 0, type: "invoke", f: "txn", value: [["append", "x", 1]], time: 0 },
      { process: 0, type: "ok", f: "txn", value: [["append", "x", 1]], time: 1 },
      { process: 1, type: "invoke", f: "txn", value: [["r", "x", null]], time: 2 },
      { process: 2, type: "invoke", f: "txn", value: [["r", "x", null]], time: 2 },
      { process: 1, type: "ok", f: "txn", value: [["r", "x", []]], time: 3 },
      { process: 2, type: "ok", f: "txn", value: [["r", "x", [1]]], time: 3 },
    ];
    const r = check("list-append", events);
    found(r, "G-single-realtime", 2);
    assert.deepEqual(r.strongest, ["serializable"]);
    assert.match(r.anomalies[0]!.explanation.join("\n"), /T0 completed \(at 1\) before T1 was invoked \(at 2\), so T0 → T1 \(realtime\)/);
  });
});

describe("txn checker: process order", () => {
  it("G-single-process: a client that does not see its own earlier committed append (no times, so only its order counts)", () => {
    const events: HistoryEvent[] = [
      { process: 0, type: "invoke", f: "txn", value: [["append", "x", 1]], time: 0 },
      { process: 0, type: "ok", f: "txn", value: [["append", "x", 1]], time: 0 },
      { process: 0, type: "invoke", f: "txn", value: [["r", "x", null]], time: 0 },
      { process: 0, type: "ok", f: "txn", value: [["r", "x", []]], time: 0 },
      { process: 1, type: "invoke", f: "txn", value: [["r", "x", null]], time: 0 },
      { process: 1, type: "ok", f: "txn", value: [["r", "x", [1]]], time: 0 },
    ];
    const r = check("list-append", events);
    found(r, "G-single-process", 2);
    assert.match(r.anomalies[0]!.explanation.join("\n"), /client 0 ran T0 and then T1, so T0 → T1 \(process\)/);
    assert.deepEqual(r.strongest, ["serializable"]);
  });
});

describe("txn checker: rw-register", () => {
  it("accepts a serial history", () => {
    const r = check("rw-register", sequential(ok(["w", "x", 1]), ok(["r", "x", 1], ["w", "x", 2]), ok(["r", "x", 2], ["r", "y", null])));
    assert.deepEqual(r.counts, {});
    assert.equal(r.outcome, "ok");
  });

  it("G1a, G1b and internal inconsistency", () => {
    found(check("rw-register", concurrent(failed(["w", "x", 1]), ok(["r", "x", 1]))), "G1a");
    found(check("rw-register", concurrent(ok(["w", "x", 1], ["w", "x", 2]), ok(["r", "x", 1]))), "G1b");
    found(check("rw-register", concurrent(ok(["w", "x", 1], ["r", "x", 2]))), "internal");
  });

  it("G0: writes installed over each other both ways", () => {
    const r = check("rw-register", concurrent(ok(["w", "x", 1], ["r", "y", 1], ["w", "y", 2]), ok(["w", "y", 1], ["r", "x", 1], ["w", "x", 2])));
    found(r, "G0", 2);
  });

  it("G1c: each read the other's write", () => {
    found(check("rw-register", concurrent(ok(["w", "x", 1], ["r", "y", 1]), ok(["w", "y", 1], ["r", "x", 1]))), "G1c", 2);
  });

  it("G-single: read skew", () => {
    const r = check(
      "rw-register",
      sequential(ok(["w", "x", 1], ["w", "y", 1])).concat(
        concurrent(ok(["r", "x", 1], ["w", "x", 2], ["w", "y", 2]), ok(["r", "x", 1], ["r", "y", 2])).map((e) => ({ ...e, process: (e.process as number) + 1, time: e.time! + 100 })),
      ),
    );
    found(r, "G-single", 2);
    assert.match(r.anomalies.find((a) => a.name === "G-single")!.explanation.join("\n"), /T2 read "x"=1 and T1, which also read "x"=1, wrote "x"=2 over it, so T2 → T1 \(rw\)/);
  });

  it("lost update (and the G2-item it makes)", () => {
    const r = check("rw-register", concurrent(ok(["r", "x", null], ["w", "x", 1]), ok(["r", "x", null], ["w", "x", 2])));
    found(r, "lost-update");
    found(r, "G2-item", 2);
    assert.ok(r.ruledOut.includes("snapshot-isolation"));
  });
});

describe("txn checker: budget", () => {
  it("says unknown, not valid, when the cycle search runs out of budget before it finds the cycle", () => {
    const events = concurrent(ok(["r", "x", []], ["append", "y", 1]), ok(["r", "y", []], ["append", "x", 1]), ok(["r", "x", [1]], ["r", "y", [1]]));
    const r = checkTransactions(readTxnHistory(events), { workload: "list-append", models: ["serializable"], budget: 0 });
    assert.equal(r.outcome, "unknown");
    assert.match(r.incomplete ?? "", /stopped after 0 steps/);
  });

  it("keeps the verdict when the searches cut short are for anomalies the models asked about allow", () => {
    const events = concurrent(ok(["r", "x", []], ["append", "y", 1]), ok(["r", "y", []], ["append", "x", 1]), ok(["r", "x", [1]], ["r", "y", [1]]));
    const r = checkTransactions(readTxnHistory(events), { workload: "list-append", models: ["read-committed"], budget: 0 });
    // No ww/wr component and no ww/wr path back: G0, G1c and G-single are decided without a step; only G2-item's search is cut.
    assert.equal(r.outcome, "ok");
    assert.deepEqual(r.strongest, ["snapshot-isolation"]);
    assert.equal(r.summary, "consistent with snapshot-isolation; whether it is repeatable-read is unknown (the cycle search ran out of budget)");
    assert.match(r.incomplete ?? "", /G2-item .*cycles stopped after 0 steps .*no model asked about forbids G2-item.*, so the verdict stands/);
  });
});

describe("txn formats", () => {
  it("reads Jepsen EDN with keywords, and JSON lines", () => {
    const edn = `{:type :invoke, :f :txn, :value [[:append 1 2] [:r 1 nil]], :process 3, :index 0}
{:type :ok, :f :txn, :value [[:append 1 2] [:r 1 [2]]], :process 3, :index 1}`;
    const { format, history } = parseTxnHistory(edn);
    assert.equal(format, "edn");
    assert.deepEqual(history.txns[0]!.mops.map((m) => m.f), ["append", "r"]);
    assert.equal(checkTransactions(history, { workload: "list-append" }).outcome, "ok");
    const jsonl = `{"process":0,"type":"invoke","f":"txn","value":[["w","x",1]]}\n{"process":0,"type":"ok","f":"txn","value":[["w","x",1]]}`;
    assert.equal(parseTxnHistory(jsonl).format, "jsonl");
  });

  it("names the line it cannot read", () => {
    assert.throws(() => parseTxnHistory(`{"process":0,"type":"invoke","f":"txn","value":[["w","x",1]]}\n{"process":0,"type":"ok","f":"txn","value":[["zap","x",1]]}`), /line 2: .*not a micro-operation/);
    assert.throws(() => parseTxnHistory(`{"process":0,"type":"invoke","f":"txn","value":[]}\nnot json`), /line 2: this line is not valid JSON/);
  });
});

describe("txn checker: public histories with known verdicts", () => {
  it("Elle's si-without-g-single: G2-item only, so snapshot isolation but not serializable", () => {
    const { format, history } = parseTxnHistory(readFileSync(join(packageRoot, "test", "fixtures", "txn", "si-without-g-single.edn"), "utf8"));
    assert.equal(format, "edn");
    const r = checkTransactions(history, { workload: "list-append", models: ["snapshot-isolation"] });
    assert.equal(r.outcome, "ok");
    assert.ok(r.counts["G2-item"]);
    assert.equal(r.counts["G-single"], undefined);
    assert.ok(r.ruledOut.includes("serializable"));
    assert.deepEqual(r.strongest, ["snapshot-isolation"]);
  });
});
