// A linearizability checker: is there one order of the operations, each
// taking effect at a single instant between its invocation and its response,
// that a sequential model accepts?
//
// The search is Wing & Gong's, with Lowe's memo of (operations linearized,
// state) pairs already known to lead nowhere. Histories are expected to be
// split into independent parts (one register per key) before they get here.

/** A sequential specification: a state and what each operation does to it. */
export interface Model<State, Input, Output> {
  init(): State;
  /** The states after `input` (answered with `output`) from `state`; empty when it cannot happen there. */
  step(state: State, input: Input, output: Output): State[];
  /** A stable text for a state, for the memo and for messages. */
  key(state: State): string;
}

export interface HistoryOp<Input, Output> {
  input: Input;
  output: Output;
  /** When it was invoked, and when its response came (Infinity: unknown outcome, it may take effect any time after the call). */
  call: number;
  ret: number;
}

export type Verdict<State> =
  | { linearizable: true; order: number[] }
  | {
      linearizable: false;
      /** The longest prefix (in invocation order) that could be linearized, as indices into the history. */
      order: number[];
      /** The operation no order could place next, given the best partial order (an index). */
      stuck: number;
      /** The states the model could be in when `stuck` had to take effect. */
      states: State[];
    }
  | { linearizable: "unknown"; reason: string };

interface Entry {
  op: number;
  kind: "call" | "ret";
  time: number;
  /** The other half of this operation (call ↔ ret). */
  match?: Entry;
  prev?: Entry;
  next?: Entry;
}

/**
 * Checks one history against a model. `budget` bounds the number of search
 * steps; beyond it the verdict is unknown rather than a long wait.
 */
export function checkLinearizable<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: readonly HistoryOp<Input, Output>[],
  budget = 5_000_000,
): Verdict<State> {
  const n = history.length;
  if (n === 0) return { linearizable: true, order: [] };
  const head = buildEntries(history);

  const linearized = new Uint8Array(n);
  const memo = new Set<string>();
  const stack: { entry: Entry; state: State }[] = [];
  let state = model.init();
  let entry = head.next;
  let steps = 0;
  // The deepest point the search reached, for the explanation of a failure.
  let best = { order: [] as number[], states: new Map<string, State>(), stuck: -1 };

  while (head.next) {
    if (++steps > budget) return { linearizable: "unknown", reason: `the search gave up after ${budget.toLocaleString("en-US")} steps` };
    if (!entry) break; // only calls no order can place are left
    if (entry.kind === "call") {
      const { input, output } = history[entry.op]!;
      let advanced = false;
      for (const next of model.step(state, input, output)) {
        linearized[entry.op] = 1;
        const seen = `${model.key(next)}|${bits(linearized)}`;
        linearized[entry.op] = 0;
        if (memo.has(seen)) continue;
        memo.add(seen);
        stack.push({ entry, state });
        linearized[entry.op] = 1;
        state = next;
        lift(entry);
        entry = head.next;
        advanced = true;
        break;
      }
      if (!advanced) entry = entry.next;
    } else {
      // A response whose operation is not placed yet: the current prefix is a dead end.
      if (stack.length >= best.order.length) {
        const order = stack.map((s) => s.entry.op);
        if (order.length > best.order.length) best = { order, states: new Map(), stuck: entry.op };
        best.states.set(model.key(state), state);
      }
      const top = stack.pop();
      if (!top) {
        return { linearizable: false, order: best.order, stuck: best.stuck, states: [...best.states.values()] };
      }
      state = top.state;
      linearized[top.entry.op] = 0;
      unlift(top.entry);
      entry = top.entry.next;
    }
  }
  if (head.next) return { linearizable: false, order: best.order, stuck: best.stuck >= 0 ? best.stuck : head.next.op, states: [...best.states.values()] };
  return { linearizable: true, order: stack.map((s) => s.entry.op) };
}

/** A doubly linked list of calls and returns in time order, behind a sentinel head. */
function buildEntries<Input, Output>(history: readonly HistoryOp<Input, Output>[]): Entry {
  const entries: Entry[] = [];
  history.forEach((op, i) => {
    const call: Entry = { op: i, kind: "call", time: op.call };
    const ret: Entry = { op: i, kind: "ret", time: op.ret };
    call.match = ret;
    ret.match = call;
    entries.push(call, ret);
  });
  // At equal times calls come first: operations that touch are concurrent, never ordered.
  entries.sort((a, b) => a.time - b.time || (a.kind === b.kind ? a.op - b.op : a.kind === "call" ? -1 : 1));
  const head: Entry = { op: -1, kind: "call", time: -Infinity };
  let prev = head;
  for (const e of entries) {
    prev.next = e;
    e.prev = prev;
    prev = e;
  }
  return head;
}

/** Takes an operation (its call and its return) out of the list. */
function lift(call: Entry): void {
  for (const e of [call, call.match!]) {
    e.prev!.next = e.next;
    if (e.next) e.next.prev = e.prev;
  }
}

/** Puts an operation back where it was (the reverse of lift). */
function unlift(call: Entry): void {
  for (const e of [call.match!, call]) {
    e.prev!.next = e;
    if (e.next) e.next.prev = e;
  }
}

function bits(set: Uint8Array): string {
  let out = "";
  for (let i = 0; i < set.length; i += 16) {
    let word = 0;
    for (let j = 0; j < 16 && i + j < set.length; j++) if (set[i + j]) word |= 1 << j;
    out += String.fromCharCode(word);
  }
  return out;
}
