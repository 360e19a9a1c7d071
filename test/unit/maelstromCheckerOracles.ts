// The quadratic checkers as they were before issue 17, kept verbatim as oracles
// for the property tests in maelstromCheckersLinear.test.ts (not a test file itself).
import { latencySummary } from "../../src/maelstrom/checkers/latency.js";
import type { Operation } from "../../src/maelstrom/history.js";
import type { CheckResult } from "../../src/maelstrom/workloads/workload.js";

type Entry = [number, unknown];
const EXACT_UNKNOWN_LIMIT = 2000;

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

function elementsOf(op: Operation, field: string): Set<number> {
  const values = op.reply?.[field];
  return new Set(Array.isArray(values) ? (values as number[]) : []);
}

/** Whether every node answered a final read with the same elements (the final phase can end). */
export function oldFinalReadsAgree(round: readonly Operation[], field: string): boolean {
  const sets = round.map((op) => (op.outcome === "ok" ? JSON.stringify([...elementsOf(op, field)].sort((a, b) => a - b)) : "?"));
  return sets.every((s) => s !== "?" && s === sets[0]);
}

/**
 * A set that only grows, read from every node: every acknowledged element
 * must be in every node's final read, no read may hold an element nobody
 * added, and the stable latency says how long elements took to reach every read.
 */
export function oldCheckGrowingSet(history: readonly Operation[], nodes: readonly string[], shape: SetShape): CheckResult {
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
export function oldStableLatencies(history: readonly Operation[], nodes: readonly string[], shape: SetShape): number[] {
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

function msgsOf(op: Operation): Record<string, Entry[]> {
  const msgs = op.reply?.msgs;
  return msgs && typeof msgs === "object" && !Array.isArray(msgs) ? (msgs as Record<string, Entry[]>) : {};
}

export function oldCheckKafka(history: readonly Operation[]): CheckResult {
  const problems: string[] = [];
  // What sends were acknowledged at which offset.
  const acked = new Map<string, Map<number, unknown>>(); // key → offset → msg
  const duplicates: string[] = [];
  for (const op of history) {
    if (op.f !== "send" || op.outcome !== "ok") continue;
    const key = String(op.request.key);
    const offset = op.reply?.offset;
    if (typeof offset !== "number") {
      problems.push(`${op.node} answered send with ${JSON.stringify(op.reply)}; send_ok must carry a numeric "offset"`);
      continue;
    }
    const byOffset = acked.get(key) ?? new Map<number, unknown>();
    acked.set(key, byOffset);
    if (byOffset.has(offset)) duplicates.push(`${key} offset ${offset} was given to both message ${JSON.stringify(byOffset.get(offset))} and message ${JSON.stringify(op.request.msg)}`);
    else byOffset.set(offset, op.request.msg);
  }
  // What polls observed.
  const observed = new Map<string, Map<number, unknown>>();
  const internal: string[] = [];
  const external: string[] = [];
  const skips: string[] = [];
  const inconsistent: string[] = [];
  const knownOffsets = (key: string) => {
    const s = new Set<number>([...(acked.get(key)?.keys() ?? []), ...(observed.get(key)?.keys() ?? [])]);
    return [...s].sort((a, b) => a - b);
  };
  const polls = history.filter((op) => op.f === "poll" && op.outcome === "ok");
  for (const op of polls) {
    for (const [key, entries] of Object.entries(msgsOf(op))) {
      const seen = observed.get(key) ?? new Map<number, unknown>();
      observed.set(key, seen);
      for (let i = 0; i < entries.length; i++) {
        const [offset, msg] = entries[i]!;
        if (i > 0 && offset <= entries[i - 1]![0]) internal.push(`a poll of ${key} on ${op.node} returned offset ${offset} after ${entries[i - 1]![0]}`);
        if (seen.has(offset) && JSON.stringify(seen.get(offset)) !== JSON.stringify(msg)) {
          inconsistent.push(`${key} offset ${offset} was read as ${JSON.stringify(seen.get(offset))} and as ${JSON.stringify(msg)}`);
        }
        seen.set(offset, msg);
      }
      const from = (op.request.offsets as Record<string, number>)[key] ?? 0;
      if (entries.length > 0 && entries[0]![0] < from) external.push(`a poll of ${key} from offset ${from} on ${op.node} began at offset ${entries[0]![0]}`);
    }
  }
  // Skips: a poll jumped over an offset that exists.
  for (const op of polls) {
    for (const [key, entries] of Object.entries(msgsOf(op))) {
      if (entries.length === 0) continue;
      const all = knownOffsets(key);
      const from = (op.request.offsets as Record<string, number>)[key] ?? 0;
      const returned = new Set(entries.map((e) => e[0]));
      const last = entries[entries.length - 1]![0];
      const missed = all.filter((o) => o >= from && o < last && !returned.has(o));
      if (missed.length > 0) skips.push(`a poll of ${key} from offset ${from} on ${op.node} skipped offset ${missed[0]} (it returned ${[...returned].slice(0, 5).join(", ")}${returned.size > 5 ? ", ..." : ""})`);
    }
  }
  // Lost: acknowledged, and never read although later offsets of its key were.
  const lost: string[] = [];
  let unobserved = 0;
  for (const [key, byOffset] of acked) {
    const seen = observed.get(key) ?? new Map<number, unknown>();
    const highest = Math.max(-1, ...seen.keys());
    for (const [offset, msg] of byOffset) {
      if (seen.has(offset)) {
        if (JSON.stringify(seen.get(offset)) !== JSON.stringify(msg)) {
          inconsistent.push(`${key} offset ${offset} was acknowledged for message ${JSON.stringify(msg)} but polls returned ${JSON.stringify(seen.get(offset))}`);
        }
        continue;
      }
      if (offset < highest) lost.push(`message ${JSON.stringify(msg)} sent to ${key} was acknowledged at offset ${offset}, but no poll ever returned it`);
      else unobserved++;
    }
  }
  const add = (what: string, list: string[]) => {
    if (list.length > 0) problems.push(`${list.length} ${what}, e.g. ${list[0]}`);
  };
  add("duplicate offset(s)", duplicates);
  add("lost write(s)", lost);
  add("inconsistent offset(s)", inconsistent);
  add("internal nonmonotonic poll(s)", internal);
  add("external nonmonotonic poll(s)", external);
  add("poll skip(s)", skips);
  if (unobserved > 0) problems.push(`${unobserved} acknowledged message(s) were never returned by any poll, not even the final ones`);
  return {
    valid: problems.length === 0,
    problems,
    "send-count": history.filter((o) => o.f === "send").length,
    "acknowledged-sends": [...acked.values()].reduce((s, m) => s + m.size, 0),
    "duplicate-count": duplicates.length,
    "lost-count": lost.length,
    "unobserved-count": unobserved,
    "internal-nonmonotonic-count": internal.length,
    "external-nonmonotonic-count": external.length,
    "skip-count": skips.length,
    "inconsistent-count": inconsistent.length,
  };
}

/** The sums a final read may show: the acknowledged sum plus any subset of the unknown adds. */
export function oldAcceptableSums(acknowledged: number, unknown: readonly number[]): { has(n: number): boolean; describe(): string } {
  if (unknown.length > EXACT_UNKNOWN_LIMIT) {
    const lo = acknowledged + unknown.filter((d) => d < 0).reduce((s, d) => s + d, 0);
    const hi = acknowledged + unknown.filter((d) => d > 0).reduce((s, d) => s + d, 0);
    return { has: (n) => n >= lo && n <= hi, describe: () => `between ${lo} and ${hi}` };
  }
  let sums = new Set([acknowledged]);
  for (const d of unknown) {
    if (d === 0) continue;
    const next = new Set(sums);
    for (const s of sums) next.add(s + d);
    sums = next;
  }
  const sorted = [...sums].sort((a, b) => a - b);
  return {
    has: (n) => sums.has(n),
    describe: () => (sorted.length === 1 ? `exactly ${acknowledged}` : `one of ${ranges(sorted)}`),
  };
}

/** 1,2,3,5,7,8 → "1–3, 5, 7–8" */
function ranges(sorted: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(i === j ? String(sorted[i]) : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return out.length > 8 ? `${out.slice(0, 8).join(", ")}, …` : out.join(", ");
}

