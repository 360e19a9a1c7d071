import { HistoryError, type History, type Operation } from "./history.js";
import type { Model } from "./model.js";

// A history split into the parts the checker searches: one per key when the
// model allows it (a history is linearizable when each key's is), each with
// its operations in call order.

export interface Part {
  label: string;
  ops: Operation[];
}

/**
 * Leaves out the operations of unknown outcome whose written value no
 * operation of the part observes (see Model.writes): they are what makes a
 * search explode, and a history full of timeouts has many of them.
 */
function withoutUnobserved(model: Model<unknown>, ops: Operation[]): Operation[] {
  if (!model.writes || !model.observes || !ops.some((op) => op.status === "info")) return ops;
  const observed = new Set<string>();
  for (const op of ops) for (const v of model.observes(op)) observed.add(JSON.stringify(v));
  return ops.filter((op) => {
    if (op.status !== "info") return true;
    const written = model.writes!(op);
    return written === undefined || observed.has(JSON.stringify(written.value));
  });
}

/** Normalizes and validates every operation, leaves out what cannot matter, and groups the rest. */
export function splitParts(history: History, model: Model<unknown>, partition = true): Part[] {
  const byLabel = new Map<string, Operation[]>();
  for (const raw of history.operations) {
    const op = model.normalize ? model.normalize(raw) : raw;
    const wrong = model.validate?.(op);
    if (wrong) throw new HistoryError(wrong, op.line);
    // A read whose answer nobody saw tells nothing.
    if (op.status === "info" && model.readOnly?.(op)) continue;
    const label = partition && model.partition ? `key ${model.partition(op)}` : "";
    let ops = byLabel.get(label);
    if (!ops) byLabel.set(label, (ops = []));
    ops.push(op);
  }
  const parts = [...byLabel].map(([label, ops]) => ({ label, ops: withoutUnobserved(model, ops).sort((a, b) => a.call - b.call || a.id - b.id) }));
  return parts.length > 0 ? parts : [{ label: "", ops: [] }];
}
