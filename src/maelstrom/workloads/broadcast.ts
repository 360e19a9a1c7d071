import { percentile, type Operation } from "../history.js";
import { topology } from "./topology.js";
import type { CheckResult, Workload, WorkloadOptions } from "./workload.js";

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
    finalRound: () => opts.nodes.map((node) => ({ node, body: { type: "read" } })),
    settled(round) {
      const sets = round.map((op) => (op.outcome === "ok" ? JSON.stringify([...valuesOf(op)].sort((a, b) => a - b)) : "?"));
      return sets.every((s) => s !== "?" && s === sets[0]);
    },
    check: (history) => checkBroadcast(history, opts.nodes),
  };
}

function valuesOf(op: Operation): Set<number> {
  const messages = op.reply?.messages;
  return new Set(Array.isArray(messages) ? (messages as number[]) : []);
}

export function checkBroadcast(history: readonly Operation[], nodes: readonly string[]): CheckResult {
  const broadcasts = history.filter((op) => op.f === "broadcast");
  const acked = broadcasts.filter((op) => op.outcome === "ok");
  const attempted = new Set(broadcasts.map((op) => op.request.message as number));
  const reads = history.filter((op) => op.f === "read" && op.outcome === "ok");
  const problems: string[] = [];

  for (const op of reads) {
    if (!Array.isArray(op.reply?.messages)) {
      problems.push(`${op.node} answered read with ${JSON.stringify(op.reply)}; read_ok must carry "messages": [ ... ]`);
      break;
    }
  }
  // The last final read of each node decides what it ended up with.
  const finalReads = new Map<string, Operation>();
  for (const op of history) if (op.final && op.f === "read") finalReads.set(op.node, op);
  const lost = new Map<number, string[]>();
  for (const node of nodes) {
    const final = finalReads.get(node);
    if (!final || final.outcome !== "ok") {
      problems.push(`${node} did not answer its final read`);
      continue;
    }
    const have = valuesOf(final);
    for (const op of acked) {
      const v = op.request.message as number;
      if (!have.has(v)) lost.set(v, [...(lost.get(v) ?? []), node]);
    }
  }
  const unexpected = new Set<number>();
  for (const op of reads) for (const v of valuesOf(op)) if (!attempted.has(v)) unexpected.add(v);

  if (lost.size > 0) {
    const examples = [...lost].slice(0, 5).map(([v, where]) => `${v} (missing on ${where.join(", ")})`);
    problems.unshift(`${lost.size} acknowledged broadcast value(s) are missing from final reads: ${examples.join("; ")}`);
  }
  if (unexpected.size > 0) problems.push(`reads returned ${unexpected.size} value(s) nobody broadcast, e.g. ${[...unexpected].slice(0, 5).join(", ")}`);

  // Stable latency: from a broadcast's invocation until after the last read (anywhere) that still missed it.
  const latencies: number[] = [];
  const seen = reads.map((r) => ({ at: r.invokedAt, values: valuesOf(r) })).sort((a, b) => a.at - b.at);
  for (const op of acked) {
    const v = op.request.message as number;
    if (lost.has(v)) continue;
    let lastMiss = op.invokedAt;
    for (const r of seen) {
      if (r.at >= op.invokedAt && !r.values.has(v)) lastMiss = r.at;
    }
    latencies.push(lastMiss - op.invokedAt);
  }
  latencies.sort((a, b) => a - b);
  return {
    valid: problems.length === 0,
    problems,
    "attempt-count": broadcasts.length,
    "acknowledged-count": acked.length,
    "lost-count": lost.size,
    "unexpected-count": unexpected.size,
    "stable-latencies": {
      min: ms(percentile(latencies, 0)),
      median: ms(percentile(latencies, 50)),
      p95: ms(percentile(latencies, 95)),
      p99: ms(percentile(latencies, 99)),
      max: ms(latencies[latencies.length - 1]),
    },
  };
}

function ms(x: number | undefined): number | null {
  return x === undefined ? null : Math.round(x);
}
