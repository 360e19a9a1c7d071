import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { casRegister, type RegisterInput, type RegisterOutput, type RegisterValue } from "../../src/checkers/casRegister.js";
import { checkLinearizable, type HistoryOp } from "../../src/checkers/linearizability.js";
import { seeded } from "../../src/maelstrom/engine.js";
import type { Operation } from "../../src/maelstrom/history.js";
import { checkLinKv } from "../../src/maelstrom/workloads/linKv.js";

type Op = HistoryOp<RegisterInput, RegisterOutput>;
const read = (value: RegisterValue, call: number, ret: number): Op => ({ input: { f: "read" }, output: { outcome: "ok", value }, call, ret });
const write = (value: RegisterValue, call: number, ret: number): Op => ({ input: { f: "write", value }, output: { outcome: "ok" }, call, ret });
const cas = (from: RegisterValue, to: RegisterValue, call: number, ret: number): Op => ({ input: { f: "cas", from, to }, output: { outcome: "ok" }, call, ret });
const unknown = (input: RegisterInput, call: number): Op => ({ input, output: { outcome: "info" }, call, ret: Infinity });

describe("linearizability checker (cas register)", () => {
  it("accepts sequential and overlapping histories that some order explains", () => {
    assert.equal(checkLinearizable(casRegister, [write(1, 0, 10), read(1, 20, 30), cas(1, 2, 40, 50), read(2, 60, 70)]).linearizable, true);
    // The read overlaps both writes, so it may see either.
    assert.equal(checkLinearizable(casRegister, [write(1, 0, 10), write(2, 20, 40), read(1, 25, 35)]).linearizable, true);
    assert.equal(checkLinearizable(casRegister, [read(null, 0, 5), write(3, 1, 10)]).linearizable, true);
  });

  it("rejects a stale read after a completed write, and names the operation and the possible values", () => {
    const v = checkLinearizable(casRegister, [write(1, 0, 10), write(2, 20, 30), read(1, 40, 50)]);
    assert.equal(v.linearizable, false);
    if (v.linearizable !== false) return;
    assert.equal(v.stuck, 2);
    assert.deepEqual(v.states, [2]);
  });

  it("rejects a cas that succeeded from a value the register never held at that time", () => {
    assert.equal(checkLinearizable(casRegister, [write(1, 0, 10), cas(0, 5, 20, 30)]).linearizable, false);
    // Two successful cas from the same value cannot both happen.
    assert.equal(checkLinearizable(casRegister, [write(1, 0, 10), cas(1, 2, 20, 40), cas(1, 3, 21, 41), read(3, 50, 60)]).linearizable, false);
  });

  it("lets an operation with unknown outcome take effect any time after its call, or never", () => {
    assert.equal(checkLinearizable(casRegister, [write(1, 0, 10), unknown({ f: "write", value: 2 }, 20), read(1, 30, 40), read(2, 50, 60)]).linearizable, true);
    assert.equal(checkLinearizable(casRegister, [write(1, 0, 10), unknown({ f: "write", value: 2 }, 20), read(1, 30, 40)]).linearizable, true);
    // ... but not before it was called.
    assert.equal(checkLinearizable(casRegister, [write(1, 0, 10), read(2, 12, 15), unknown({ f: "write", value: 2 }, 20)]).linearizable, false);
    // Once seen, its effect cannot be undone: 2 then 1 again without another write is not linearizable.
    assert.equal(checkLinearizable(casRegister, [write(1, 0, 10), unknown({ f: "write", value: 2 }, 20), read(2, 30, 40), read(1, 50, 60)]).linearizable, false);
  });

  it("agrees with a brute-force search over every order on random small histories", () => {
    const random = seeded(42);
    let invalid = 0;
    for (let round = 0; round < 400; round++) {
      const h = randomHistory(random, 2 + Math.floor(random() * 5));
      const fast = checkLinearizable(casRegister, h).linearizable;
      const slow = bruteForce(h);
      assert.equal(fast, slow, `history ${JSON.stringify(h)}`);
      if (!slow) invalid++;
    }
    // Both verdicts occur, so the comparison means something.
    assert.ok(invalid > 40 && invalid < 360, `invalid histories: ${invalid}`);
  });

  it("gives up with unknown, not a hang, when the search exceeds its budget", () => {
    const h = Array.from({ length: 30 }, (_, i) => write(i % 3, 0, 1000 + i));
    h.push(read(99, 2000, 2010));
    const v = checkLinearizable(casRegister, h, 1000);
    assert.equal(v.linearizable, "unknown");
  });
});

describe("lin-kv checker", () => {
  let clock = 0;
  const op = (key: number, request: { type: string } & Record<string, unknown>, outcome: Operation["outcome"], reply?: Record<string, unknown>): Operation => {
    clock += 10;
    return { client: "c1", node: "n0", f: String(request.type), request: { ...request, key }, invokedAt: clock, completedAt: clock + 5, outcome, ...(reply ? { reply: reply as Operation["reply"] } : {}) };
  };
  it("checks each key on its own, treats 'key does not exist' as reading an empty register, and explains a violation", () => {
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
    assert.match(b.problems[0]!, /key 2 is not linearizable: .*leaves the register holding 4 when read → null \(c1 via n0, \d+–\d+ ms\) had to take effect/);
  });
});

function randomHistory(random: () => number, n: number): Op[] {
  const value = () => Math.floor(random() * 3);
  return Array.from({ length: n }, () => {
    const call = Math.floor(random() * 20);
    const ret = call + 1 + Math.floor(random() * 8);
    const r = random();
    if (r < 0.4) return read(random() < 0.15 ? null : value(), call, ret);
    if (r < 0.7) return random() < 0.2 ? unknown({ f: "write", value: value() }, call) : write(value(), call, ret);
    return random() < 0.2 ? unknown({ f: "cas", from: value(), to: value() }, call) : cas(value(), value(), call, ret);
  });
}

/** Every permutation that respects real time, each op either applied per the model (and unknown ones optionally skipped). */
function bruteForce(h: readonly Op[]): boolean {
  const n = h.length;
  const used = new Array<boolean>(n).fill(false);
  const go = (state: RegisterValue, placed: number): boolean => {
    if (placed === n) return true;
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      // i may go next only if no unplaced op returned before i was called.
      if (h.some((o, j) => !used[j] && j !== i && o.ret < h[i]!.call)) continue;
      for (const next of casRegister.step(state, h[i]!.input, h[i]!.output)) {
        used[i] = true;
        const ok = go(next, placed + 1);
        used[i] = false;
        if (ok) return true;
      }
    }
    return false;
  };
  return go(null, 0);
}
