// Cycle search: for each anomaly class, the strongly connected components of
// the graph of only the edge types the class's cycles use (no such cycle
// leaves one: a history with no G1c has no component of ww and wr edges, and
// the search for G1c costs one linear pass), then, inside each component,
// the shortest witness: a breadth-first search back from the head of one
// edge of the class's first type to its tail, along only the edge types the
// class allows. The search's state is (transaction, flags): whether it took an rw
// edge, and whether it took a realtime/process edge, so that "at least two
// rw" and "at least one order edge" are found as shortest paths too.

import { EDGE_NAMES, PROCESS, REALTIME, RW, stronglyConnected, WR, WW, type EdgeType, type Graph } from "./graph.js";
import type { AnomalyName } from "./result.js";

const bit = (t: EdgeType) => 1 << t;
const ORDER = bit(REALTIME) | bit(PROCESS);
export const ALL_EDGES = bit(WW) | bit(WR) | bit(RW) | ORDER;
const TOOK_RW = 1;
const TOOK_ORDER = 2;

interface CycleClass {
  name: string;
  /** The type of the edge the cycle is searched from (every cycle of the class has one). */
  start: EdgeType;
  /** The types allowed for the other edges. */
  rest: number;
  /** Flags the rest of the cycle must have set. */
  need: number;
  /** Whether it needs order edges (named -realtime or -process by the ones it uses). */
  ordered: boolean;
}

const CLASSES: CycleClass[] = [
  { name: "G0", start: WW, rest: bit(WW), need: 0, ordered: false },
  { name: "G1c", start: WR, rest: bit(WW) | bit(WR), need: 0, ordered: false },
  { name: "G-single", start: RW, rest: bit(WW) | bit(WR), need: 0, ordered: false },
  { name: "G2-item", start: RW, rest: bit(WW) | bit(WR) | bit(RW), need: TOOK_RW, ordered: false },
  { name: "G0", start: WW, rest: bit(WW) | ORDER, need: TOOK_ORDER, ordered: true },
  { name: "G1c", start: WR, rest: bit(WW) | bit(WR) | ORDER, need: TOOK_ORDER, ordered: true },
  { name: "G-single", start: RW, rest: bit(WW) | bit(WR) | ORDER, need: TOOK_ORDER, ordered: true },
  { name: "G2-item", start: RW, rest: ALL_EDGES, need: TOOK_RW | TOOK_ORDER, ordered: true },
];

export interface FoundCycle {
  name: AnomalyName;
  /** Edge ids, in order; the last edge ends where the first begins. */
  edges: number[];
}

export interface CycleSearch {
  cycles: FoundCycle[];
  /** Strongly connected components of two or more transactions, over every edge type searched. */
  components: number;
  /** Why the search is incomplete, when its budget ran out. */
  incomplete?: string;
  /** The anomalies whose search ran out of budget somewhere (a cycle of theirs may have been missed). */
  unsure: AnomalyName[];
}

export interface CycleOptions {
  /** Edge visits allowed per class and component (default 2,000,000). */
  budget?: number;
  /** Whether to look for cycles through realtime/process edges (default true). */
  ordered?: boolean;
}

export function findCycles(g: Graph, options: CycleOptions = {}): CycleSearch {
  const budget = options.budget ?? 2_000_000;
  const ordered = options.ordered ?? true;
  const sccs = new Map<number, ReturnType<typeof stronglyConnected>>();
  const sccOf = (mask: number) => {
    let s = sccs.get(mask);
    if (!s) sccs.set(mask, (s = stronglyConnected(g, mask)));
    return s;
  };
  const whole = sccOf(ordered ? ALL_EDGES : bit(WW) | bit(WR) | bit(RW));
  const cycles: FoundCycle[] = [];
  const unsure = new Set<AnomalyName>();
  let incomplete: string | undefined;
  if (whole.components.length === 0) return { cycles, components: 0, unsure: [] };
  const n = g.nodes;
  const seen = new Int32Array(4 * n).fill(-1);
  const parentEdge = new Int32Array(4 * n);
  const parentState = new Int32Array(4 * n);
  const queue = new Int32Array(4 * n);
  let stamp = 0;

  /** Shortest path from v back to u inside component c, as edge ids; undefined if none within maxLength edges or budget. */
  const search = (u: number, v: number, c: number, componentOf: Int32Array, cls: CycleClass, maxLength: number, spent: { visits: number }): number[] | undefined => {
    stamp++;
    let head = 0;
    let tail = 0;
    const first = v * 4;
    seen[first] = stamp;
    parentEdge[first] = -1;
    queue[tail++] = first;
    let depth = 0;
    let layerEnd = tail;
    while (head < tail) {
      if (head === layerEnd) {
        depth++;
        layerEnd = tail;
        if (depth >= maxLength) return undefined;
      }
      const state = queue[head++]!;
      const x = state >> 2;
      const flags = state & 3;
      if (x === u && head > 1) continue; // u reached without the flags needed: do not go round again
      for (let i = g.offsets[x]!; i < g.offsets[x + 1]!; i++) {
        const e = g.edges[i]!;
        const type = g.type[e]! as EdgeType;
        if ((bit(type) & cls.rest) === 0) continue;
        const y = g.to[e]!;
        if (componentOf[y] !== c) continue;
        if (++spent.visits > budget) return undefined;
        const f = flags | (type === RW ? TOOK_RW : 0) | (type === REALTIME || type === PROCESS ? TOOK_ORDER : 0);
        const next = y * 4 + f;
        if (seen[next] === stamp) continue;
        seen[next] = stamp;
        parentEdge[next] = e;
        parentState[next] = state;
        if (y === u && (f & cls.need) === cls.need) {
          const path: number[] = [];
          for (let s = next; parentEdge[s] !== -1; s = parentState[s]!) path.push(parentEdge[s]!);
          return path.reverse();
        }
        queue[tail++] = next;
      }
    }
    return undefined;
  };

  /** Components of the whole graph holding a cycle without order edges: order-edge cycles are looked for only where there is none. */
  const plainIn = new Set<number>();
  for (const cls of CLASSES) {
    if (cls.ordered && !ordered) continue;
    const { components, componentOf } = sccOf(bit(cls.start) | cls.rest);
    components.forEach((nodes, c) => {
      if (cls.ordered && plainIn.has(whole.componentOf[nodes[0]!]!)) return;
      const spent = { visits: 0 };
      let best: number[] | undefined;
      outer: for (const u of nodes) {
        for (let i = g.offsets[u]!; i < g.offsets[u + 1]!; i++) {
          const e = g.edges[i]!;
          if (g.type[e] !== cls.start || componentOf[g.to[e]!] !== c) continue;
          const path = search(u, g.to[e]!, c, componentOf, cls, best ? best.length : Infinity, spent);
          if (path && (!best || path.length + 1 < best.length)) best = [e, ...path];
          if (best && best.length === 2) break outer;
          if (spent.visits > budget) {
            incomplete = `the search for ${cls.name}${cls.ordered ? " (with realtime or process order)" : ""} cycles stopped after ${budget} steps in a component of ${nodes.length} transactions`;
            for (const name of cls.ordered ? [`${cls.name}-realtime`, `${cls.name}-process`] : [cls.name]) unsure.add(name as AnomalyName);
            break outer;
          }
        }
      }
      if (!best) return;
      // The search's states carry flags, so its shortest walk may pass a transaction twice; a witness is a simple cycle.
      best = simpleCycle(g, best, cls);
      if (!best) return;
      if (!cls.ordered) plainIn.add(whole.componentOf[g.from[best[0]!]!]!);
      const name = cls.ordered ? `${cls.name}-${best.some((e) => g.type[e] === REALTIME) ? "realtime" : "process"}` : cls.name;
      cycles.push({ name: name as AnomalyName, edges: best });
    });
  }
  return { cycles, components: whole.components.length, unsure: [...unsure], ...(incomplete ? { incomplete } : {}) };
}

/**
 * The closed walk `walk` (edge ids, the class's start edge first) cut down to
 * a simple cycle through its start edge: each stretch between two visits of
 * one transaction is a loop of its own, and is cut out. Undefined when what
 * is left no longer has what the class needs (a second rw edge, an order
 * edge): the loops cut out were then cycles of other classes, which the
 * search reports in their own right (a G2-item walk made of two G-single
 * loops, say), and which the same models forbid.
 */
export function simpleCycle(g: Graph, walk: readonly number[], cls: Pick<CycleClass, "need">): number[] | undefined {
  const edges = [...walk];
  for (;;) {
    // Transaction i of the walk is where edge i starts; the start edge's tail is never cut.
    const at = new Map<number, number>();
    let cut: [number, number] | undefined;
    for (let i = 0; i < edges.length; i++) {
      const v = g.from[edges[i]!]!;
      const earlier = at.get(v);
      if (earlier !== undefined) {
        cut = [earlier, i];
        break;
      }
      at.set(v, i);
    }
    if (!cut) break;
    const [i, j] = cut;
    // Edges i..j-1 go from the transaction back to itself. Keep the part with the start edge (index 0).
    if (i === 0) edges.splice(j);
    else edges.splice(i, j - i);
  }
  const rw = edges.filter((e) => g.type[e] === RW).length;
  const order = edges.some((e) => g.type[e] === REALTIME || g.type[e] === PROCESS);
  if ((cls.need & TOOK_RW) !== 0 && rw < 2) return undefined;
  if ((cls.need & TOOK_ORDER) !== 0 && !order) return undefined;
  return edges;
}

export const edgeName = (g: Graph, e: number) => EDGE_NAMES[g.type[e]!]!;
