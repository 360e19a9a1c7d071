import type { Operation } from "../history.js";
import type { CheckResult, Workload, WorkloadOptions } from "./workload.js";

/** Adds beyond this many with unknown outcomes are bounded by a range instead of exact sums. */
const EXACT_UNKNOWN_LIMIT = 2000;

/**
 * A counter: clients add deltas and read. After the network heals, every
 * node's final read must be the sum of acknowledged adds plus some subset of
 * the adds whose outcome is unknown. g-counter adds positive deltas only;
 * pn-counter adds negative ones too.
 */
export function counterWorkload(opts: WorkloadOptions, kind: "g-counter" | "pn-counter"): Workload {
  const delta = () => (kind === "g-counter" ? 1 + Math.floor(opts.random() * 5) : Math.floor(opts.random() * 10) - 5);
  return {
    name: kind,
    next: () => (opts.random() < 0.5 ? { type: "add", delta: delta() } : { type: "read" }),
    finalRound: () => opts.nodes.map((node) => ({ node, body: { type: "read" } })),
    settled: (round) => round.every((op) => op.outcome === "ok" && op.reply?.value === round[0]?.reply?.value),
    check: (history) => checkCounter(history, opts.nodes),
  };
}

/** The sums a final read may show: the acknowledged sum plus any subset of the unknown adds. */
export function acceptableSums(acknowledged: number, unknown: readonly number[]): { has(n: number): boolean; describe(): string } {
  if (unknown.length > EXACT_UNKNOWN_LIMIT) {
    const lo = acknowledged + unknown.filter((d) => d < 0).reduce((s, d) => s + d, 0);
    const hi = acknowledged + unknown.filter((d) => d > 0).reduce((s, d) => s + d, 0);
    return { has: (n) => n >= lo && n <= hi, describe: () => `between ${lo} and ${hi}` };
  }
  const bits = subsetSumBits(acknowledged, unknown);
  if (bits) {
    const { lo, reachable } = bits;
    const has = (n: number) => Number.isInteger(n) && n - lo >= 0 && n - lo < reachable.length && reachable[n - lo] === 1;
    const sorted: number[] = [];
    for (let i = 0; i < reachable.length; i++) if (reachable[i] === 1) sorted.push(lo + i);
    const exactly = sorted.length === 1;
    return { has, describe: () => (exactly ? `exactly ${acknowledged}` : `one of ${ranges(sorted)}`) };
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

/** Above this many possible sums, the exact Set is used instead of a byte per sum (deltas far apart). */
const BITSET_RANGE_LIMIT = 1 << 24;

/**
 * The reachable sums as a byte per integer in [lo, hi], or undefined when a
 * delta or the acknowledged sum is not an integer or the range is too wide.
 * Time O(unknown × range) with a tight inner loop (range ≤ the sum of
 * |delta|, 5 × 2,000 at most for clstr's workloads); memory one byte per
 * integer of the range, instead of a copied Set per unknown add.
 */
function subsetSumBits(acknowledged: number, unknown: readonly number[]): { lo: number; reachable: Uint8Array } | undefined {
  if (!Number.isSafeInteger(acknowledged)) return undefined;
  let neg = 0;
  let pos = 0;
  for (const d of unknown) {
    if (!Number.isSafeInteger(d)) return undefined;
    if (d < 0) neg += d;
    else pos += d;
  }
  const lo = acknowledged + neg;
  const width = pos - neg + 1;
  if (!Number.isSafeInteger(lo) || width > BITSET_RANGE_LIMIT) return undefined;
  const reachable = new Uint8Array(width);
  reachable[acknowledged - lo] = 1;
  // Only the span reached so far is visited: [min, max] offsets.
  let min = acknowledged - lo;
  let max = min;
  for (const d of unknown) {
    if (d > 0) {
      for (let i = max; i >= min; i--) if (reachable[i] === 1) reachable[i + d] = 1;
      max += d;
    } else if (d < 0) {
      for (let i = min; i <= max; i++) if (reachable[i] === 1) reachable[i + d] = 1;
      min += d;
    }
  }
  return { lo, reachable };
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

/**
 * Linear in the history apart from the subset sums of unknown adds (bounded
 * above: at most EXACT_UNKNOWN_LIMIT of them, each over a byte range of
 * possible sums). Memory beyond the history: the unknown deltas, the range of
 * possible sums, and a final read per node.
 */
export function checkCounter(history: readonly Operation[], nodes: readonly string[]): CheckResult {
  const adds = history.filter((op) => op.f === "add");
  const acknowledged = adds.filter((op) => op.outcome === "ok").reduce((s, op) => s + (op.request.delta as number), 0);
  const unknown = adds.filter((op) => op.outcome === "info").map((op) => op.request.delta as number);
  const acceptable = acceptableSums(acknowledged, unknown);
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
    else if (!acceptable.has(value)) {
      problems.push(
        `${node}'s final read is ${value}, but acknowledged adds sum to ${acknowledged}` +
          (unknown.length > 0 ? ` (with the ${unknown.length} add(s) whose outcome is unknown, the read must be ${acceptable.describe()})` : ""),
      );
    }
  }
  return { valid: problems.length === 0, problems, "acknowledged-sum": acknowledged, "unknown-adds": unknown.length, "final-reads": reads };
}
