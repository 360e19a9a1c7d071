import { describeOperation, describeProcess, type Operation } from "./history.js";
import { successors, type Model } from "./model.js";

// A failed search in words a learner can follow: what the longest order
// found was, which operation could not come after it, and why.

/** How many operations of the prefix to name before "…". */
const PREFIX_SHOWN = 4;
const OTHERS_SHOWN = 3;

const named = (op: Operation) => `${describeOperation(op)} by ${describeProcess(op.process)}`;

export function explainFailure<State>(model: Model<State>, ops: readonly Operation[], prefix: readonly number[], stuck: readonly number[], states: readonly State[]): string[] {
  const lines: string[] = [];
  const blocked = ops[stuck[0]!]!;
  const tail = prefix.slice(-PREFIX_SHOWN).map((i) => named(ops[i]!));
  const order =
    prefix.length === 0
      ? "before any operation could take effect"
      : prefix.length > PREFIX_SHOWN
        ? `after ${prefix.length} operations ending with ${joinWords(tail)}`
        : `after ${joinWords(tail)}`;
  const where = states.length === 0 ? "" : ` (${states.map((s) => model.describe(s)).join("; or ")})`;
  lines.push(`${capital(order)}${where}, ${named(blocked)} cannot be placed: no order lets it take effect before it returned.`);

  // The real-time reason: what had finished before it began, so it had to see its effect.
  const before = prefix
    .map((i) => ops[i]!)
    .filter((op) => op.ret < blocked.call)
    .sort((a, b) => b.ret - a.ret)[0];
  if (before) lines.push(`It started after ${named(before)} finished, so it must come after it.`);
  if (states.length > 0 && states.every((s) => successors(model, s, blocked).length === 0)) {
    lines.push(`In that state the model does not allow ${describeOperation(blocked)}.`);
  }
  const others = stuck.slice(1).map((i) => ops[i]!);
  if (others.length > 0) {
    const shown = others.slice(0, OTHERS_SHOWN).map(named);
    const more = others.length > OTHERS_SHOWN ? ` and ${others.length - OTHERS_SHOWN} more` : "";
    lines.push(`Nor could any operation running at the time go first to make room for it: ${joinWords(shown)}${more}.`);
  }
  return lines;
}

function joinWords(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
