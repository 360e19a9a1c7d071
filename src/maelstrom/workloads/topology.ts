// The neighbour lists Maelstrom's broadcast workload sends in `topology`.

export function topology(kind: string, nodes: readonly string[]): Record<string, string[]> {
  const n = nodes.length;
  const out: Record<string, string[]> = {};
  for (const node of nodes) out[node] = [];
  const link = (a: number, b: number) => {
    if (a === b || a < 0 || b < 0 || a >= n || b >= n) return;
    if (!out[nodes[a]!]!.includes(nodes[b]!)) out[nodes[a]!]!.push(nodes[b]!);
    if (!out[nodes[b]!]!.includes(nodes[a]!)) out[nodes[b]!]!.push(nodes[a]!);
  };
  const tree = /^tree(\d+)$/.exec(kind);
  if (kind === "grid") {
    const side = Math.ceil(Math.sqrt(n));
    for (let i = 0; i < n; i++) {
      if ((i + 1) % side !== 0) link(i, i + 1);
      link(i, i + side);
    }
  } else if (kind === "line") {
    for (let i = 0; i + 1 < n; i++) link(i, i + 1);
  } else if (kind === "total") {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) link(i, j);
  } else if (tree) {
    const k = Number(tree[1]);
    for (let i = 1; i < n; i++) link(i, Math.floor((i - 1) / k));
  } else {
    throw new Error(`unknown topology ${JSON.stringify(kind)}; use grid, line, tree2, tree3, tree4 or total`);
  }
  return out;
}

export const TOPOLOGIES = ["grid", "line", "tree2", "tree3", "tree4", "total"];
