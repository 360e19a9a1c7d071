// The oracle the linearizability checker is tested against: for a small
// history, try every order of its operations that respects real time (a
// before b when a returned before b was called), with each operation of
// unknown outcome either placed somewhere or left out, and step the model
// along it. No pruning beyond the real-time order, no cleverness: it is slow
// and obviously right. Parts (keys) are checked on their own, as a history is
// linearizable exactly when each of its parts is.
import type { History, Operation } from "../../src/checkers/linearizability/history.js";
import { successors, type Model } from "../../src/checkers/linearizability/model.js";

export const BRUTE_FORCE_LIMIT = 8;

/** Whether some order of the history's operations explains every output. */
export function bruteForceLinearizable(history: History, model: Model<any>): boolean {
  if (history.operations.length > BRUTE_FORCE_LIMIT) throw new Error(`the brute-force checker takes at most ${BRUTE_FORCE_LIMIT} operations, not ${history.operations.length}`);
  const parts = new Map<string, Operation[]>();
  for (const op of history.operations) {
    const part = model.partition ? model.partition(op) : "";
    parts.set(part, [...(parts.get(part) ?? []), op]);
  }
  return [...parts.values()].every((ops) => orderExists(ops, model));
}

function orderExists(ops: readonly Operation[], model: Model<any>): boolean {
  const placed = new Array<boolean>(ops.length).fill(false);
  // An operation may go next when every operation that returned before its call is already placed.
  const mayGoNext = (b: Operation) => ops.every((a, i) => placed[i] || !(a.ret < b.call));
  const search = (state: unknown): boolean => {
    if (ops.every((op, i) => placed[i] || op.status === "info")) return true; // the info operations left are left out
    return ops.some((op, i) => {
      if (placed[i] || !mayGoNext(op)) return false;
      placed[i] = true;
      const found = successors(model, state, op).some((next) => search(next));
      placed[i] = false;
      return found;
    });
  };
  return search(model.init());
}
