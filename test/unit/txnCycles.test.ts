import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findCycles, simpleCycle } from "../../src/checkers/transactions/cycles.js";
import { GraphBuilder, REALTIME, RW, WR, WW, type EdgeType } from "../../src/checkers/transactions/graph.js";

function graph(n: number, edges: [number, number, EdgeType][]) {
  const b = new GraphBuilder(n);
  for (const [from, to, type] of edges) b.add(from, to, type);
  return b.build();
}

/** Each witness as "name: T0 -rw-> T1 -wr-> T0". */
function witnesses(g: ReturnType<typeof graph>): string[] {
  const names = ["ww", "wr", "rw", "realtime", "process"];
  return findCycles(g).cycles.map((c) => `${c.name}: ${c.edges.map((e) => `T${g.from[e]} -${names[g.type[e]!]}->`).join(" ")} T${g.from[c.edges[0]!]}`);
}

/** Whether every witness passes each of its transactions once. */
function simple(g: ReturnType<typeof graph>): boolean {
  return findCycles(g).cycles.every((c) => new Set(c.edges.map((e) => g.from[e])).size === c.edges.length);
}

describe("cycle witnesses are simple cycles", () => {
  it("a G2-item walk through two G-single loops is not reported: its loops are, as G-single", () => {
    // T0 -rw-> T1 -wr-> T0 and T1 -ww-> T2 -rw-> T1: the shortest walk with two rw edges from T0 -rw-> T1 passes T1 twice.
    const g = graph(3, [[0, 1, RW], [1, 0, WR], [1, 2, WW], [2, 1, RW]]);
    assert.ok(simple(g));
    const found = witnesses(g);
    assert.ok(found.some((w) => w.startsWith("G-single: ")), found.join("\n"));
    assert.ok(!found.some((w) => w.startsWith("G2-item")), found.join("\n"));
  });

  it("a G2-item with two rw edges on one simple cycle is still found", () => {
    const g = graph(3, [[0, 1, RW], [1, 2, RW], [2, 0, WR]]);
    assert.deepEqual(witnesses(g), ["G2-item: T1 -rw-> T2 -wr-> T0 -rw-> T1"]);
  });

  it("simpleCycle cuts a walk's loops, keeping the cycle through its start edge, and drops it when that cycle lacks what the class needs", () => {
    // Edges 0..3: T0 -rw-> T1, T1 -realtime-> T2, T2 -realtime-> T1, T1 -realtime-> T0.
    const g = graph(3, [[0, 1, RW], [1, 2, REALTIME], [2, 1, REALTIME], [1, 0, REALTIME]]);
    const ids = (from: number, to: number) => [...Array(g.from.length).keys()].find((e) => g.from[e] === from && g.to[e] === to)!;
    const walk = [ids(0, 1), ids(1, 2), ids(2, 1), ids(1, 0)];
    assert.deepEqual(simpleCycle(g, walk, { need: 2 }), [ids(0, 1), ids(1, 0)]);
    // Asked for a second rw edge, what is left has one: no witness of that class.
    assert.equal(simpleCycle(g, walk, { need: 1 | 2 }), undefined);
  });
});
