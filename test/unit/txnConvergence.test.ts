import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkConvergence, type FinalRead } from "../../src/checkers/transactions/convergence.js";
import type { Mop, Txn, TxnHistory } from "../../src/checkers/transactions/history.js";

const mop = (f: Mop["f"], key: number, value: Mop["value"]): Mop => ({ f, key, k: key, value });
let nextId = 0;
const txn = (process: string, mops: Mop[], retS = 1): Txn => ({ id: nextId++, process, status: "ok", mops, call: 0, ret: retS * 1e9 });

describe("convergence of the final reads", () => {
  it("agrees when every node reads the same values", () => {
    const w = txn("c1", [mop("w", 1, 5)]);
    const a = txn("c1", [mop("r", 1, 5), mop("r", 2, null)]);
    const b = txn("c2", [mop("r", 1, 5), mop("r", 2, null)]);
    const r = checkConvergence({ txns: [w, a, b] }, [{ node: "n0", txn: a }, { node: "n1", txn: b }], () => "n0");
    assert.deepEqual(r, { converged: true, silent: [], divergences: [], explanation: [] });
  });

  it("names each node's value and the transaction that wrote it when registers disagree", () => {
    const w1 = txn("c1", [mop("w", 1, 5)], 2.5);
    const w2 = txn("c2", [mop("r", 1, 3), mop("w", 1, 6)], 2.75);
    const a = txn("c1", [mop("r", 1, 5), mop("r", 2, 7)]);
    const b = txn("c2", [mop("r", 1, 6), mop("r", 2, 7)]);
    const history: TxnHistory = { txns: [w1, w2, a, b] };
    const nodes = new Map([[w1.id, "n0"], [w2.id, "n1"]]);
    const r = checkConvergence(history, [{ node: "n0", txn: a }, { node: "n1", txn: b }], (t) => nodes.get(t.id));
    assert.equal(r.converged, false);
    assert.deepEqual(r.divergences, [{ key: 1, values: [{ node: "n0", value: 5 }, { node: "n1", value: 6 }] }]);
    const text = r.explanation.join("\n");
    assert.match(text, /the 2 nodes still disagree on 1 key,/);
    assert.match(text, /key 1: n0 reads 5, n1 reads 6\./);
    assert.match(text, new RegExp(`n0's value was written by T${w1.id} \\(c1, committed\\): w\\(1, 5\\) \\(on n0, acknowledged at 2\\.50 s\\)\\.`));
    assert.match(text, new RegExp(`n1's value was written by T${w2.id} \\(c2, committed\\): r\\(1\\) → 3, w\\(1, 6\\) \\(on n1, acknowledged at 2\\.75 s\\)\\.`));
  });

  it("names the appends a node's list lacks (list-append)", () => {
    const ap = txn("c3", [mop("append", 4, 9)], 1.25);
    const a = txn("c1", [mop("r", 4, [1, 2, 9])]);
    const b = txn("c2", [mop("r", 4, [1, 2])]);
    const r = checkConvergence({ txns: [ap, a, b] }, [{ node: "n0", txn: a }, { node: "n1", txn: b }], () => "n0");
    assert.equal(r.converged, false);
    assert.match(r.explanation.join("\n"), new RegExp(`T${ap.id} \\(c3, committed\\): append\\(4, 9\\) \\(on n0, acknowledged at 1\\.25 s\\): n1 never applied it\\.`));
  });

  it("fails a node that gave no final read, with what it did instead", () => {
    const a = txn("c1", [mop("r", 1, null)]);
    const finals: FinalRead[] = [{ node: "n0", txn: a }, { node: "n1", failure: "no reply within the timeout" }];
    const r = checkConvergence({ txns: [a] }, finals, () => undefined);
    assert.equal(r.converged, false);
    assert.deepEqual(r.silent, [{ node: "n1", failure: "no reply within the timeout" }]);
    assert.match(r.explanation[0]!, /n1 gave no committed read of every key after the network healed \(no reply within the timeout\)/);
  });
});
