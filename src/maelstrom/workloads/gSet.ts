import { checkGrowingSet, compactElements, finalReadsAgree, stableLatencies, type SetShape } from "./growingSet.js";
import type { Workload, WorkloadOptions } from "./workload.js";

const G_SET: SetShape = { add: "add", element: "element", elements: "value", noun: "element" };

/** Clients add unique integers to a grow-only set and read it; every acknowledged add must be in every node's final read. */
export function gSetWorkload(opts: WorkloadOptions): Workload {
  let next = 0;
  return {
    name: "g-set",
    next: () => (opts.random() < 0.5 ? { type: "add", element: next++ } : { type: "read" }),
    // Reads return every element so far: kept compactly (2 or 4 bytes an element, not 8).
    observe: (op) => {
      if (op.f === "read") compactElements(op, "value");
    },
    finalRound: () => opts.nodes.map((node) => ({ node, body: { type: "read" } })),
    settled: (round) => finalReadsAgree(round, "value"),
    check: (history) => checkGrowingSet(history, opts.nodes, G_SET),
    stableLatencies: (history) => stableLatencies(history, opts.nodes, G_SET),
  };
}
