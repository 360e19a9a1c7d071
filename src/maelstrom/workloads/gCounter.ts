import type { Operation } from "../history.js";
import type { CheckResult, Workload, WorkloadOptions } from "./workload.js";

/**
 * Clients add positive deltas and read the counter; after the network heals,
 * every node's final read must lie between the sum of acknowledged adds and
 * that sum plus every add whose outcome is unknown.
 */
export function gCounterWorkload(opts: WorkloadOptions): Workload {
  return {
    name: "g-counter",
    next: () => (opts.random() < 0.5 ? { type: "add", delta: 1 + Math.floor(opts.random() * 5) } : { type: "read" }),
    finalRound: () => opts.nodes.map((node) => ({ node, body: { type: "read" } })),
    settled: (round) => round.every((op) => op.outcome === "ok" && op.reply?.value === round[0]?.reply?.value),
    check: (history) => checkCounter(history, opts.nodes),
  };
}

export function checkCounter(history: readonly Operation[], nodes: readonly string[]): CheckResult {
  const adds = history.filter((op) => op.f === "add");
  const lower = adds.filter((op) => op.outcome === "ok").reduce((s, op) => s + (op.request.delta as number), 0);
  const upper = lower + adds.filter((op) => op.outcome === "info").reduce((s, op) => s + (op.request.delta as number), 0);
  const finals = new Map<string, Operation>();
  for (const op of history) if (op.final && op.f === "read") finals.set(op.node, op);
  const problems: string[] = [];
  const reads: Record<string, unknown> = {};
  for (const node of nodes) {
    const op = finals.get(node);
    if (!op || op.outcome !== "ok") {
      problems.push(`${node} did not answer its final read`);
      continue;
    }
    const value = op.reply?.value;
    reads[node] = value;
    if (typeof value !== "number") problems.push(`${node}'s final read_ok has "value": ${JSON.stringify(value)}; it must be a number`);
    else if (value < lower || value > upper) {
      problems.push(
        `${node}'s final read is ${value}, but acknowledged adds sum to ${lower}${upper > lower ? ` (and at most ${upper} with the adds whose outcome is unknown)` : ""}`,
      );
    }
  }
  return { valid: problems.length === 0, problems, "acknowledged-sum": lower, "possible-sum": upper, "final-reads": reads };
}
