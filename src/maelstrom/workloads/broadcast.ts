import type { Operation } from "../history.js";
import { checkGrowingSet, compactElements, finalReadsAgree, stableLatencies, type SetShape } from "./growingSet.js";
import { topology } from "./topology.js";
import type { CheckResult, Workload, WorkloadOptions } from "./workload.js";

const BROADCAST: SetShape = { add: "broadcast", element: "message", elements: "messages", noun: "broadcast value" };

/**
 * Clients broadcast unique integers and read each node's set; every
 * acknowledged value must end up in every node's final read.
 */
export function broadcastWorkload(opts: WorkloadOptions): Workload {
  let nextValue = 0;
  return {
    name: "broadcast",
    setup: () => {
      const t = topology(opts.topology, opts.nodes);
      return opts.nodes.map((node) => ({ node, body: { type: "topology", topology: t } }));
    },
    next: () => (opts.random() < 0.5 ? { type: "broadcast", message: nextValue++ } : { type: "read" }),
    // Reads return every element so far: kept compactly (2 or 4 bytes an element, not 8).
    observe: (op) => {
      if (op.f === "read") compactElements(op, "messages");
    },
    finalRound: () => opts.nodes.map((node) => ({ node, body: { type: "read" } })),
    settled: (round) => finalReadsAgree(round, "messages"),
    check: (history) => checkBroadcast(history, opts.nodes),
    stableLatencies: (history) => stableLatencies(history, opts.nodes, BROADCAST),
  };
}

export function checkBroadcast(history: readonly Operation[], nodes: readonly string[]): CheckResult {
  return checkGrowingSet(history, nodes, BROADCAST);
}
