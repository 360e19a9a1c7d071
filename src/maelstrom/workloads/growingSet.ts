import { latencySummary } from "../checkers/latency.js";
import type { Operation } from "../history.js";
import type { CheckResult } from "./workload.js";

/** How a workload names its adds and reads (broadcast: message/messages; g-set: element/value). */
export interface SetShape {
  /** The request type that adds an element. */
  add: string;
  /** The add request's field holding the element. */
  element: string;
  /** The read_ok field holding every element. */
  elements: string;
  /** What an element is called in messages. */
  noun: string;
}

export function elementsOf(op: Operation, field: string): Set<number> {
  const values = op.reply?.[field];
  return new Set(Array.isArray(values) ? (values as number[]) : []);
}

/** Whether every node answered a final read with the same elements (the final phase can end). */
export function finalReadsAgree(round: readonly Operation[], field: string): boolean {
  const sets = round.map((op) => (op.outcome === "ok" ? JSON.stringify([...elementsOf(op, field)].sort((a, b) => a - b)) : "?"));
  return sets.every((s) => s !== "?" && s === sets[0]);
}

/**
 * A set that only grows, read from every node: every acknowledged element
 * must be in every node's final read, no read may hold an element nobody
 * added, and the stable latency says how long elements took to reach every read.
 */
export function checkGrowingSet(history: readonly Operation[], nodes: readonly string[], shape: SetShape): CheckResult {
  const adds = history.filter((op) => op.f === shape.add);
  const acked = adds.filter((op) => op.outcome === "ok");
  const attempted = new Set(adds.map((op) => op.request[shape.element] as number));
  const reads = history.filter((op) => op.f === "read" && op.outcome === "ok");
  const problems: string[] = [];

  for (const op of reads) {
    if (!Array.isArray(op.reply?.[shape.elements])) {
      problems.push(`${op.node} answered read with ${JSON.stringify(op.reply)}; read_ok must carry "${shape.elements}": [ ... ]`);
      break;
    }
  }
  const finalReads = finalReadsOf(history);
  for (const node of nodes) {
    const final = finalReads.get(node);
    if (!final || final.outcome !== "ok") problems.push(`${node} did not answer its final read`);
  }
  const lost = lostElements(acked, finalReads, nodes, shape);
  const unexpected = new Set<number>();
  for (const op of reads) for (const v of elementsOf(op, shape.elements)) if (!attempted.has(v)) unexpected.add(v);

  if (lost.size > 0) {
    const examples = [...lost].slice(0, 5).map(([v, where]) => `${v} (missing on ${where.join(", ")})`);
    problems.unshift(`${lost.size} acknowledged ${shape.noun}(s) are missing from final reads: ${examples.join("; ")}`);
  }
  if (unexpected.size > 0) problems.push(`reads returned ${unexpected.size} ${shape.noun}(s) nobody added, e.g. ${[...unexpected].slice(0, 5).join(", ")}`);

  const latencies = latenciesOf(acked, new Set(lost.keys()), reads, shape);
  return {
    valid: problems.length === 0,
    problems,
    "attempt-count": adds.length,
    "acknowledged-count": acked.length,
    "lost-count": lost.size,
    "unexpected-count": unexpected.size,
    "stable-latencies": latencySummary(latencies),
  };
}

/** The stable latencies of a run (sorted, ms): the workload's measure, for the latency and threshold checkers. */
export function stableLatencies(history: readonly Operation[], nodes: readonly string[], shape: SetShape): number[] {
  const acked = history.filter((op) => op.f === shape.add && op.outcome === "ok");
  const reads = history.filter((op) => op.f === "read" && op.outcome === "ok");
  const lost = lostElements(acked, finalReadsOf(history), nodes, shape);
  return latenciesOf(acked, new Set(lost.keys()), reads, shape);
}

/** The last final read of each node: it decides what the node ended up with. */
function finalReadsOf(history: readonly Operation[]): Map<string, Operation> {
  const finalReads = new Map<string, Operation>();
  for (const op of history) if (op.final && op.f === "read") finalReads.set(op.node, op);
  return finalReads;
}

/** Acknowledged elements missing from some node's final read, with the nodes they are missing on (nodes with no answered final read are left out). */
function lostElements(acked: readonly Operation[], finalReads: ReadonlyMap<string, Operation>, nodes: readonly string[], shape: SetShape): Map<number, string[]> {
  const lost = new Map<number, string[]>();
  for (const node of nodes) {
    const final = finalReads.get(node);
    if (!final || final.outcome !== "ok") continue;
    const have = elementsOf(final, shape.elements);
    for (const op of acked) {
      const v = op.request[shape.element] as number;
      if (!have.has(v)) lost.set(v, [...(lost.get(v) ?? []), node]);
    }
  }
  return lost;
}

/** Stable latency: from an add's invocation until after the last read (anywhere) that still missed it; lost elements have none. */
function latenciesOf(acked: readonly Operation[], lost: ReadonlySet<number>, reads: readonly Operation[], shape: SetShape): number[] {
  const latencies: number[] = [];
  const seen = reads.map((r) => ({ at: r.invokedAt, values: elementsOf(r, shape.elements) })).sort((a, b) => a.at - b.at);
  for (const op of acked) {
    const v = op.request[shape.element] as number;
    if (lost.has(v)) continue;
    let lastMiss = op.invokedAt;
    for (const r of seen) {
      if (r.at >= op.invokedAt && !r.values.has(v)) lastMiss = r.at;
    }
    latencies.push(lastMiss - op.invokedAt);
  }
  return latencies.sort((a, b) => a - b);
}
