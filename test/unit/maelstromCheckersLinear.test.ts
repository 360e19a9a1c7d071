// Property tests: the linear checkers (issue 17) give exactly the verdicts,
// figures and messages of the quadratic ones they replaced, on random
// histories good and bad. The old checkers are kept in
// maelstromCheckerOracles.ts as the oracle. No timing here: growth figures
// are in `npm run bench:maelstrom` (docs/benchmarks.md).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Operation } from "../../src/maelstrom/history.js";
import type { Body } from "../../src/maelstrom/protocol.js";
import { acceptableSums } from "../../src/maelstrom/workloads/counter.js";
import { checkGrowingSet, compactElements, finalReadsAgree, stableLatencies, type SetShape } from "../../src/maelstrom/workloads/growingSet.js";
import { checkKafka } from "../../src/maelstrom/workloads/kafka.js";
import { seeded } from "../../src/util/random.js";
import { oldAcceptableSums, oldCheckGrowingSet, oldCheckKafka, oldFinalReadsAgree, oldStableLatencies } from "./maelstromCheckerOracles.js";

const int = (rand: () => number, n: number) => Math.floor(rand() * n);
const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[int(rand, xs.length)]!;

const SHAPES: SetShape[] = [
  { add: "broadcast", element: "message", elements: "messages", noun: "broadcast value" },
  { add: "add", element: "element", elements: "value", noun: "element" },
];

/** A random growing-set history: adds (dense, sparse, negative or duplicate values), reads of random subsets with stray values, ties in time, odd replies, and final reads that may be missing. */
function growingSetHistory(rand: () => number, shape: SetShape, nodes: string[]): Operation[] {
  const h: Operation[] = [];
  const attempted: unknown[] = [];
  const valueKind = int(rand, 4); // 0,1: dense 0..n; 2: sparse large; 3: negatives and fractions
  const n = 1 + int(rand, 60);
  let clock = 0;
  const outcome = (): Operation["outcome"] => pick(rand, ["ok", "ok", "ok", "info", "fail"] as const);
  const nextValue = (i: number): unknown => {
    if (rand() < 0.05 && attempted.length > 0) return pick(rand, attempted); // a duplicate add
    if (valueKind <= 1) return i;
    if (valueKind === 2) return i * 100_000 + int(rand, 7);
    return rand() < 0.5 ? -i : i + 0.5;
  };
  const readOf = (): Body => {
    const r = rand();
    if (r < 0.03) return { type: "read_ok" }; // no elements field
    if (r < 0.05) return { type: "read_ok", [shape.elements]: "nope" };
    const values: unknown[] = [];
    for (const v of attempted) if (rand() < 0.7) values.push(v);
    if (rand() < 0.1) values.push(pick(rand, [999_999_999, -7, 3.25, "x", 0]));
    if (rand() < 0.1 && values.length > 0) values.push(values[0]); // a duplicate in one read
    for (let i = values.length - 1; i > 0; i--) {
      const j = int(rand, i + 1);
      [values[i], values[j]] = [values[j], values[i]];
    }
    return { type: "read_ok", [shape.elements]: values };
  };
  for (let i = 0; i < n; i++) {
    clock += int(rand, 3) * 5; // ties happen
    const node = pick(rand, nodes);
    if (rand() < 0.5) {
      const v = nextValue(i);
      attempted.push(v);
      const o = outcome();
      h.push({ client: "c1", node, f: shape.add, request: { type: shape.add, [shape.element]: v }, invokedAt: clock, completedAt: clock + 3, outcome: o, ...(o === "ok" ? { reply: { type: `${shape.add}_ok` } } : {}) });
    } else {
      const o = rand() < 0.85 ? "ok" : outcome();
      h.push({ client: "c2", node, f: "read", request: { type: "read" }, invokedAt: clock + (rand() < 0.2 ? -int(rand, 20) : 0), completedAt: clock + 4, outcome: o, ...(o === "ok" ? { reply: readOf() } : {}) });
    }
  }
  for (let round = 0; round < 1 + int(rand, 2); round++) {
    for (const node of nodes) {
      if (rand() < 0.1) continue; // a node with no final read
      clock += 5;
      const o = rand() < 0.9 ? "ok" : "info";
      h.push({ client: "c3", node, f: "read", request: { type: "read" }, invokedAt: clock, completedAt: clock + 2, outcome: o, final: true, ...(o === "ok" ? { reply: readOf() } : {}) });
    }
  }
  return h;
}

describe("linear growing-set checker (broadcast, g-set) against the quadratic one", () => {
  it("gives the same result and stable latencies on 600 random histories", () => {
    for (let seed = 1; seed <= 600; seed++) {
      const rand = seeded(seed);
      const shape = SHAPES[seed % 2]!;
      const nodes = ["n0", "n1", "n2"].slice(0, 1 + int(rand, 3));
      const h = growingSetHistory(rand, shape, nodes);
      assert.deepEqual(checkGrowingSet(h, nodes, shape), oldCheckGrowingSet(h, nodes, shape), `seed ${seed}`);
      assert.deepEqual(stableLatencies(h, nodes, shape), oldStableLatencies(h, nodes, shape), `seed ${seed}`);
      const finals = h.filter((o) => o.final);
      assert.equal(finalReadsAgree(finals, shape.elements), oldFinalReadsAgree(finals, shape.elements), `seed ${seed}`);
      // The same on the history with its reads compacted as the engine keeps them (typed lists of the same numbers).
      const compact = compacted(h, shape);
      assert.deepEqual(checkGrowingSet(compact, nodes, shape), oldCheckGrowingSet(h, nodes, shape), `seed ${seed}, compacted`);
      assert.deepEqual(stableLatencies(compact, nodes, shape), oldStableLatencies(h, nodes, shape), `seed ${seed}, compacted`);
      assert.equal(finalReadsAgree(compact.filter((o) => o.final), shape.elements), oldFinalReadsAgree(finals, shape.elements), `seed ${seed}, compacted`);
      assert.equal(JSON.stringify(compact), JSON.stringify(h), "a compacted history serialises as the original");
    }
  });

  it("compacts reads of small integers to 2 bytes an element and 32-bit ones to 4; anything else stays an array", () => {
    const read = (messages: unknown): Operation => ({ client: "c1", node: "n0", f: "read", request: { type: "read" }, invokedAt: 0, completedAt: 1, outcome: "ok", reply: { type: "read_ok", messages } });
    const sizes = [[0, 1, 65535], [0, -1, 70000], [1, 2.5], [1, "x"], [2 ** 31], [-0]].map((m) => {
      const op = read(m);
      compactElements(op, "messages");
      const v = op.reply!.messages as { BYTES_PER_ELEMENT?: number };
      return Array.isArray(v) ? "array" : v.BYTES_PER_ELEMENT;
    });
    assert.deepEqual(sizes, [2, 4, "array", "array", "array", "array"]);
  });

  it("gives the same result on histories where every read is complete (valid runs)", () => {
    for (let seed = 1; seed <= 100; seed++) {
      const rand = seeded(10_000 + seed);
      const nodes = ["n0", "n1", "n2", "n3", "n4"];
      const h: Operation[] = [];
      const have = new Map(nodes.map((n) => [n, [] as number[]]));
      for (let i = 0, t = 0; i < 200; i++, t += 1 + int(rand, 3)) {
        if (rand() < 0.5) {
          const node = pick(rand, nodes);
          h.push({ client: "c1", node, f: "broadcast", request: { type: "broadcast", message: i }, invokedAt: t, completedAt: t + 1, outcome: "ok", reply: { type: "broadcast_ok" } });
          for (const n of nodes) if (n === node || rand() < 0.5) have.get(n)!.push(i);
        } else {
          const node = pick(rand, nodes);
          h.push({ client: "c2", node, f: "read", request: { type: "read" }, invokedAt: t, completedAt: t + 1, outcome: "ok", reply: { type: "read_ok", messages: [...have.get(node)!] } });
        }
      }
      const all = [...new Set(nodes.flatMap((n) => have.get(n)!))];
      for (const node of nodes) h.push({ client: "c3", node, f: "read", request: { type: "read" }, invokedAt: 1000, completedAt: 1001, outcome: "ok", final: true, reply: { type: "read_ok", messages: all } });
      const r = checkGrowingSet(h, nodes, SHAPES[0]!);
      assert.equal(r.valid, true, r.problems.join("\n"));
      assert.deepEqual(r, oldCheckGrowingSet(h, nodes, SHAPES[0]!), `seed ${seed}`);
    }
  });
});

/** A copy of a history whose acknowledged reads are compacted (the operations are copied; the original stays as it is). */
function compacted(h: readonly Operation[], shape: SetShape): Operation[] {
  return h.map((o) => {
    if (o.f !== "read" || !o.reply) return o;
    const c: Operation = { ...o, reply: { ...o.reply } };
    compactElements(c, shape.elements);
    return c;
  });
}

/** A random kafka history: sends with (sometimes duplicate) offsets, polls that may go backwards, skip, disagree or return unknown offsets. */
function kafkaHistory(rand: () => number): Operation[] {
  const keys = ["k0", "k1", "k2"].slice(0, 1 + int(rand, 3));
  const log = new Map<string, [number, number][]>(keys.map((k) => [k, []]));
  const h: Operation[] = [];
  let msg = 1;
  let clock = 0;
  for (let i = 0; i < 1 + int(rand, 80); i++) {
    clock += 5;
    const key = pick(rand, keys);
    const entries = log.get(key)!;
    if (rand() < 0.5) {
      const r = rand();
      const offset = r < 0.05 && entries.length > 0 ? pick(rand, entries)[0] : r < 0.08 ? undefined : entries.length * (rand() < 0.1 ? 2 : 1);
      const m = msg++;
      const outcome = pick(rand, ["ok", "ok", "ok", "info"] as const);
      if (outcome === "ok" && offset !== undefined) entries.push([offset, m]);
      h.push({ client: "c1", node: "n0", f: "send", request: { type: "send", key, msg: m }, invokedAt: clock, completedAt: clock + 1, outcome, ...(outcome === "ok" ? { reply: offset === undefined ? { type: "send_ok" } : { type: "send_ok", offset } } : {}) });
    } else {
      const from = int(rand, entries.length + 2);
      const msgs: Record<string, [number, unknown][]> = {};
      for (const k of rand() < 0.3 ? keys : [key]) {
        let out: [number, unknown][] = log.get(k)!.filter(([o]) => o >= from && rand() < 0.9).map(([o, m]) => [o, rand() < 0.03 ? -m : m]);
        if (rand() < 0.05) out = out.reverse();
        if (rand() < 0.05 && log.get(k)!.length > 0) out.unshift(log.get(k)![0]!);
        if (rand() < 0.05) out.push([1000 + int(rand, 5), "stray"]);
        msgs[k] = out;
      }
      h.push({ client: "c2", node: pick(rand, ["n0", "n1"]), f: "poll", request: { type: "poll", offsets: Object.fromEntries(Object.keys(msgs).map((k) => [k, from])) }, invokedAt: clock, completedAt: clock + 1, outcome: "ok", ...(rand() < 0.9 ? { final: rand() < 0.2, reply: { type: "poll_ok", msgs } } : { reply: { type: "poll_ok" } }) });
    }
  }
  return h;
}

describe("kafka checker against the quadratic one", () => {
  it("gives the same result on 600 random histories", () => {
    let invalid = 0;
    for (let seed = 1; seed <= 600; seed++) {
      const h = kafkaHistory(seeded(seed));
      const r = checkKafka(h);
      assert.deepEqual(r, oldCheckKafka(h), `seed ${seed}`);
      if (!r.valid) invalid++;
    }
    assert.ok(invalid > 50 && invalid < 600, `both good and bad histories (${invalid} invalid)`);
  });

  it("handles a log longer than a spread of arguments allows", () => {
    const n = 200_000;
    const h: Operation[] = [];
    const entries: [number, number][] = [];
    for (let i = 0; i < n; i++) {
      h.push({ client: "c1", node: "n0", f: "send", request: { type: "send", key: "k", msg: i }, invokedAt: i, completedAt: i, outcome: "ok", reply: { type: "send_ok", offset: i } });
      entries.push([i, i]);
    }
    h.push({ client: "c2", node: "n0", f: "poll", request: { type: "poll", offsets: { k: 0 } }, invokedAt: n, completedAt: n, outcome: "ok", reply: { type: "poll_ok", msgs: { k: entries } } });
    const r = checkKafka(h);
    assert.equal(r.valid, true, r.problems.join("\n"));
    assert.equal(r["acknowledged-sends"], n);
  });
});

describe("counter sums against the Set of sums", () => {
  it("accepts and describes the same sums for random unknown adds", () => {
    for (let seed = 1; seed <= 400; seed++) {
      const rand = seeded(seed);
      const kind = seed % 4;
      const acknowledged = int(rand, 40) - 10;
      const unknown = Array.from({ length: int(rand, 25) }, () =>
        kind === 0 ? 1 + int(rand, 5) : kind === 1 ? int(rand, 11) - 5 : kind === 2 ? (int(rand, 3) - 1) * 1000 + int(rand, 3) : rand() < 0.2 ? 0.5 : int(rand, 5),
      );
      const a = acceptableSums(acknowledged, unknown);
      const b = oldAcceptableSums(acknowledged, unknown);
      assert.equal(a.describe(), b.describe(), `seed ${seed}`);
      const span = unknown.reduce((s, d) => s + Math.abs(d), 0) + 5;
      for (let x = acknowledged - span; x <= acknowledged + span; x++) assert.equal(a.has(x), b.has(x), `seed ${seed}, ${x}`);
      for (const x of [acknowledged + 0.5, -0, NaN]) assert.equal(a.has(x), b.has(x), `seed ${seed}, ${x}`);
    }
  });
});
