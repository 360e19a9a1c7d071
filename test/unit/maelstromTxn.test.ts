import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Operation } from "../../src/maelstrom/history.js";
import { checkTxnHistory, parseModels, txnHistory, txnWorkload } from "../../src/maelstrom/workloads/txn.js";
import { seeded } from "../../src/util/random.js";

// The txn workloads: what clients send, and the engine's history as the
// transaction checker reads it.

let at = 0;
function op(client: string, txn: unknown[], outcome: Operation["outcome"], reply?: unknown[] | Record<string, unknown>): Operation {
  const invokedAt = (at += 10);
  const o: Operation = { client, node: "n0", f: "txn", request: { type: "txn", txn }, invokedAt };
  if (outcome) o.outcome = outcome;
  if (outcome && outcome !== "info") o.completedAt = invokedAt + 5;
  if (Array.isArray(reply)) o.reply = { type: "txn_ok", txn: reply };
  else if (reply) o.reply = { type: "error", ...reply };
  return o;
}

describe("txn workloads: the engine's history as transactions", () => {
  it("turns ok, fail (code 30, definite) and info (timeouts) into committed, aborted and indeterminate transactions, with the reply's reads", () => {
    const history = [
      op("c1", [["w", 1, 1], ["r", 1, null]], "ok", [["w", 1, 1], ["r", 1, 1]]),
      op("c2", [["w", 2, 1]], "fail", { code: 30, text: "txn-conflict" }),
      op("c3", [["r", 1, null], ["w", 3, 1]], "info"),
    ];
    const { history: h, malformed } = txnHistory(history);
    assert.deepEqual(malformed, []);
    assert.deepEqual(h.txns.map((t) => [t.id, t.process, t.status]), [[0, "c1", "ok"], [1, "c2", "fail"], [2, "c3", "info"]]);
    assert.deepEqual(h.txns[0]!.mops.map((m) => [m.f, m.key, m.value]), [["w", 1, 1], ["r", 1, 1]]);
    assert.deepEqual(h.txns[2]!.mops.map((m) => [m.f, m.key, m.value]), [["r", 1, null], ["w", 3, 1]]);
    assert.equal(h.txns[0]!.call, history[0]!.invokedAt * 1e6);
    assert.equal(h.txns[0]!.ret, history[0]!.completedAt! * 1e6);
    assert.equal(h.txns[2]!.ret, Infinity);
  });

  it("refuses a txn_ok that does not answer the request's micro-operations", () => {
    const history = [op("c1", [["r", 1, null], ["w", 1, 2]], "ok", [["r", 1, null]])];
    const { malformed } = txnHistory(history);
    assert.match(malformed[0]!, /txn_ok has 1 micro-operations but the request had 2/);
    assert.equal(checkTxnHistory(history, "rw-register", ["read-uncommitted"]).valid, false);
  });

  it("reads of an aborted write are G1a under read-committed, allowed under read-uncommitted", () => {
    const history = [
      op("c1", [["w", 1, 1]], "fail", { code: 30, text: "conflict" }),
      op("c2", [["r", 1, null]], "ok", [["r", 1, 1]]),
    ];
    const rc = checkTxnHistory(history, "rw-register", ["read-committed"]);
    assert.equal(rc.valid, false);
    assert.deepEqual(rc["anomaly-types"], ["G1a"]);
    assert.match(rc.problems[0]!, /not read-committed: G1a ×1/);
    assert.equal(checkTxnHistory(history, "rw-register", ["read-uncommitted"]).valid, true);
  });

  it("an intermediate read is G1b, with both transactions written out", () => {
    const history = [
      op("c1", [["w", 1, 1], ["w", 1, 2]], "ok", [["w", 1, 1], ["w", 1, 2]]),
      op("c2", [["r", 1, null]], "ok", [["r", 1, 1]]),
    ];
    const r = checkTxnHistory(history, "rw-register", ["read-committed"]);
    assert.equal(r.valid, false);
    assert.ok(r.problems.some((p) => /Intermediate read \(G1b\)/.test(p) && /c1, committed\): w\(1, 1\), w\(1, 2\)/.test(p)), r.problems.join("\n"));
  });

  it("list-append: appends and list reads", () => {
    const history = [
      op("c1", [["append", 1, 1]], "ok", [["append", 1, 1]]),
      op("c2", [["append", 1, 2], ["r", 1, null]], "ok", [["append", 1, 2], ["r", 1, [1, 2]]]),
    ];
    const r = checkTxnHistory(history, "list-append", ["strict-serializable"]);
    assert.equal(r.valid, true, r.problems.join("\n"));
  });
});

describe("txn workloads: the generator", () => {
  it("writes each value to a key at most once, stays within max-txn-length and key-count, and retires keys after max-writes-per-key", () => {
    const w = txnWorkload({ nodes: ["n0"], clients: 2, random: seeded(3), topology: "grid", txn: { keyCount: 2, maxTxnLength: 3, maxWritesPerKey: 4 } }, "txn-rw-register");
    const seen = new Set<string>();
    const keysAtOnce = new Set<number>();
    let maxKey = 0;
    for (let i = 0; i < 2000; i++) {
      const body = w.next("c1");
      assert.equal(body.type, "txn");
      const txn = body.txn as [string, number, number | null][];
      assert.ok(txn.length >= 1 && txn.length <= 3);
      for (const [f, k, v] of txn) {
        assert.ok(f === "r" || f === "w");
        if (f === "r") assert.equal(v, null);
        else {
          assert.ok(!seen.has(`${k}:${v}`), `key ${k} written ${v} twice`);
          seen.add(`${k}:${v}`);
          assert.ok(v! <= 4);
        }
        keysAtOnce.add(k);
        maxKey = Math.max(maxKey, k);
      }
    }
    assert.ok(maxKey > 10, "keys are retired for fresh ones");
    const append = txnWorkload({ nodes: ["n0"], clients: 2, random: seeded(3), topology: "grid" }, "txn-list-append");
    const fs = new Set(Array.from({ length: 200 }, () => (append.next("c1").txn as [string][]).map(([f]) => f)).flat());
    assert.deepEqual([...fs].sort(), ["append", "r"]);
  });

  it("parses --consistency-models", () => {
    assert.deepEqual(parseModels("read-committed, serializable"), { models: ["read-committed", "serializable"] });
    assert.deepEqual(parseModels("read-committed,snapshot"), { unknown: "snapshot" });
  });
});
