// The dependency graph between transactions: nodes are transaction ids,
// edges carry a type and the micro-operations that justify them (so that the
// explanation can say why). Edges are collected in growable typed arrays and
// frozen into a compressed adjacency (CSR): big histories stay cheap.

export const WW = 0;
export const WR = 1;
export const RW = 2;
export const REALTIME = 3;
export const PROCESS = 4;
export type EdgeType = typeof WW | typeof WR | typeof RW | typeof REALTIME | typeof PROCESS;
export const EDGE_NAMES = ["ww", "wr", "rw", "realtime", "process"] as const;
export type EdgeName = (typeof EDGE_NAMES)[number];

class IntList {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
}

export class GraphBuilder {
  readonly from = new IntList();
  readonly to = new IntList();
  readonly type = new IntList();
  /** The micro-operation (index in the transaction) on each side that justifies the edge; -1 when none. */
  readonly fromMop = new IntList();
  readonly toMop = new IntList();

  constructor(readonly nodes: number) {}

  add(from: number, to: number, type: EdgeType, fromMop = -1, toMop = -1): void {
    if (from === to) return;
    this.from.push(from);
    this.to.push(to);
    this.type.push(type);
    this.fromMop.push(fromMop);
    this.toMop.push(toMop);
  }

  get edges(): number {
    return this.from.length;
  }

  build(): Graph {
    const n = this.nodes;
    const m = this.from.length;
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i < m; i++) offsets[this.from.data[i]! + 1]!++;
    for (let i = 0; i < n; i++) offsets[i + 1]! += offsets[i]!;
    const fill = offsets.slice(0, n);
    const order = new Int32Array(m);
    for (let i = 0; i < m; i++) order[fill[this.from.data[i]!]!++] = i;
    return {
      nodes: n,
      offsets,
      edges: order,
      from: this.from.data.subarray(0, m),
      to: this.to.data.subarray(0, m),
      type: this.type.data.subarray(0, m),
      fromMop: this.fromMop.data.subarray(0, m),
      toMop: this.toMop.data.subarray(0, m),
    };
  }
}

/** Out-edges of node u are edges[offsets[u] .. offsets[u+1]), each an edge id into from/to/type/fromMop/toMop. */
export interface Graph {
  nodes: number;
  offsets: Int32Array;
  edges: Int32Array;
  from: Int32Array;
  to: Int32Array;
  type: Int32Array;
  fromMop: Int32Array;
  toMop: Int32Array;
}

/**
 * Strongly connected components (Tarjan, iterative), over the edges whose
 * type is in `mask` (bit 1 << type). Returns the components of two or more
 * nodes, and each node's component (-1 for nodes in none of them).
 */
export function stronglyConnected(g: Graph, mask: number): { components: number[][]; componentOf: Int32Array } {
  const n = g.nodes;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const callNode = new Int32Array(n);
  const callEdge = new Int32Array(n);
  const componentOf = new Int32Array(n).fill(-1);
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    callNode[0] = root;
    callEdge[0] = g.offsets[root]!;
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (depth >= 0) {
      const u = callNode[depth]!;
      let i = callEdge[depth]!;
      const end = g.offsets[u + 1]!;
      let descended = false;
      while (i < end) {
        const e = g.edges[i++]!;
        if (((1 << g.type[e]!) & mask) === 0) continue;
        const v = g.to[e]!;
        if (index[v] === -1) {
          callEdge[depth] = i;
          index[v] = low[v] = counter++;
          stack.push(v);
          onStack[v] = 1;
          depth++;
          callNode[depth] = v;
          callEdge[depth] = g.offsets[v]!;
          descended = true;
          break;
        } else if (onStack[v]) {
          if (index[v]! < low[u]!) low[u] = index[v]!;
        }
      }
      if (descended) continue;
      if (low[u] === index[u]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component.push(w);
        } while (w !== u);
        if (component.length > 1) {
          for (const x of component) componentOf[x] = components.length;
          components.push(component);
        }
      }
      depth--;
      if (depth >= 0) {
        const parent = callNode[depth]!;
        if (low[u]! < low[parent]!) low[parent] = low[u]!;
      }
    }
  }
  return { components, componentOf };
}
