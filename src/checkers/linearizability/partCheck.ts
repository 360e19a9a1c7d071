import { explainFailure } from "./explain.js";
import type { Model } from "./model.js";
import { MemoryBudget } from "./memo.js";
import type { Part } from "./parts.js";
import type { PartResult } from "./result.js";
import { startSearch, type PartSearch, type SearchLimits, type SearchOutcome } from "./search.js";

// Searches several parts on one thread, taking turns with slices that double
// each round: an easy violation in one part is found early even when
// another part is hard, and the first illegal part ends the check.

const FIRST_SLICE = 1 << 12;

export interface PartsRun {
  results: PartResult[];
  /** True when a part was illegal (the rest may have been stopped). */
  illegal: boolean;
}

export function checkParts(model: Model<unknown>, parts: readonly Part[], limits: SearchLimits & { memoryBytes: number }): PartsRun {
  const memory = new MemoryBudget(limits.memoryBytes);
  const results: (PartResult | undefined)[] = parts.map(() => undefined);
  const started = Date.now();
  const open = new Map<number, { search: PartSearch<unknown>; spent: number }>();
  // Small parts first: most parts are small, and finishing them frees their memory.
  const order = parts.map((_, i) => i).sort((a, b) => parts[a]!.ops.length - parts[b]!.ops.length);
  let next = 0;
  let slice = FIRST_SLICE;
  let illegal = false;
  let outOfTime = false;

  const finish = (i: number, outcome: SearchOutcome<unknown>, elapsedMs: number) => {
    results[i] = toResult(model, parts[i]!, outcome, elapsedMs);
    if (outcome.outcome === "illegal") illegal = true;
    // Out of memory in one part leaves the others worth searching (its memory is free again); out of time or stopped ends all.
    if (outcome.outcome === "unknown" && (outcome.stopped || outcome.reason === "out of time")) outOfTime = true;
  };
  const over = () => illegal || outOfTime;

  while (!over() && (next < order.length || open.size > 0)) {
    // Start parts (small ones often finish in their first slice); keep the rest open and take turns.
    while (!over() && next < order.length && open.size < 64) {
      const i = order[next++]!;
      const search = startSearch(model, parts[i]!.ops, memory);
      const begun = Date.now();
      const outcome = search.advance(slice, limits);
      if (outcome) finish(i, outcome, Date.now() - begun);
      else open.set(i, { search, spent: Date.now() - begun });
    }
    for (const [i, run] of open) {
      if (over()) break;
      const t = Date.now();
      const outcome = run.search.advance(slice, limits);
      run.spent += Date.now() - t;
      if (!outcome) continue;
      open.delete(i);
      finish(i, outcome, run.spent);
    }
    slice *= 2;
  }
  const why = illegal ? "not searched to the end: another part is not linearizable" : "not searched to the end: the check ran out of time";
  return {
    illegal,
    results: results.map(
      (r, i) => r ?? { label: parts[i]!.label, operations: parts[i]!.ops.map((op) => op.id), outcome: "unknown", reason: why, steps: 0, memo: 0, elapsedMs: Date.now() - started },
    ),
  };
}

function toResult(model: Model<unknown>, part: Part, outcome: SearchOutcome<unknown>, elapsedMs: number): PartResult {
  const base = { label: part.label, operations: part.ops.map((op) => op.id), steps: outcome.steps, memo: outcome.memo, elapsedMs };
  const id = (i: number) => part.ops[i]!.id;
  switch (outcome.outcome) {
    case "ok":
      return { ...base, outcome: "ok" };
    case "unknown":
      return { ...base, outcome: "unknown", reason: outcome.stopped ? "not searched to the end: another part is not linearizable" : outcome.reason === "out of time" ? "no answer within the time budget" : outcome.reason };
    case "illegal":
      return {
        ...base,
        outcome: "illegal",
        prefix: outcome.prefix.map(id),
        stuck: outcome.stuck.map(id),
        states: outcome.states.map((s) => model.describe(s)),
        explanation: explainFailure(model, part.ops, outcome.prefix, outcome.stuck, outcome.states),
      };
  }
}
