import type { Operation } from "./history.js";
import { Memo, MemoFullError, type MemoryBudget } from "./memo.js";
import type { Model } from "./model.js";

// The search for one part of a history: Wing & Gong's, over a list of calls
// and returns in time order, with Lowe's memo of (operations linearized,
// state) pairs already explored. An operation can take effect next when its
// call comes before the first return still in the list; a return reached
// while its operation is not linearized is a dead end, and the search
// backtracks. Operations of unknown outcome have no return: they may take
// effect at any point after their call, or never.

export interface SearchLimits {
  /** Date.now() past which the answer is unknown (Date, not performance: workers have their own time origin). */
  deadline: number;
  /** A shared flag another thread sets to stop this search (non-zero: stop). */
  stop?: Int32Array;
}

/** A search that runs in slices, so that one thread can take turns between parts. */
export interface PartSearch<State> {
  /** Runs at most about `steps` more steps; the outcome when the search is over, undefined when it is not. */
  advance(steps: number, limits: SearchLimits): SearchOutcome<State> | undefined;
}

export type SearchOutcome<State> =
  | { outcome: "ok"; order: number[]; steps: number; memo: number }
  | {
      outcome: "illegal";
      /** The longest linearizable prefix found, as operation numbers (indices into the part's ops) in order. */
      prefix: number[];
      /** The operation whose return forced the dead end after that prefix, then the others that could not be placed there. */
      stuck: number[];
      /** The states the object could be in after the prefix. */
      states: State[];
      steps: number;
      memo: number;
    }
  | { outcome: "unknown"; reason: string; stopped: boolean; steps: number; memo: number };

/** How many steps between looks at the clock and the stop flag. */
const CHECK_EVERY = 1 << 10;
/** States kept for the explanation of the deepest dead end. */
const STATES_KEPT = 4;

/** Starts the search of `ops` (sorted by call time); the memo draws on `memory`. */
export function startSearch<State>(model: Model<State>, ops: readonly Operation[], memory: MemoryBudget): PartSearch<State> {
  const n = ops.length;
  const initial = model.init();
  if (n === 0) return { advance: () => ({ outcome: "ok", order: [], steps: 0, memo: 0 }) };

  // Entries: 2i is operation i's call, 2i + 1 its return; `head` is the sentinel.
  const head = 2 * n;
  const next = new Int32Array(2 * n + 1).fill(-1);
  const prev = new Int32Array(2 * n + 1).fill(-1);
  const hasReturn = new Uint8Array(n);
  linkEntries(ops, head, next, prev, hasReturn);

  // Zobrist keys: the fingerprint of a set is the XOR of its members' keys.
  const key1 = new Uint32Array(n);
  const key2 = new Uint32Array(n);
  let seed = 0x2545f491;
  const random = () => ((seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) | 0), (seed ^ (seed >>> 13)) >>> 0);
  for (let i = 0; i < n; i++) {
    key1[i] = random();
    key2[i] = random();
  }

  const memo = new Memo<State>(memory, model.equal, model.bytes);
  /** The operations linearized, a bit each. */
  const words = new Uint32Array((n + 31) >>> 5);
  let h1 = 0;
  let h2 = 0;
  let count = 0;

  // The stack of placed operations, with the state before each and which of its next states was taken.
  const stackOp = new Int32Array(n);
  const stackState: State[] = new Array(n);
  const stackAlt = new Int32Array(n);
  let depth = 0;
  let state = initial;
  let entry = next[head]!;
  let steps = 0;

  // The deepest dead end so far, kept incrementally: `best` agrees with the stack below `lowWater`.
  let best: number[] = [];
  let bestStuck = -1;
  let bestStates: State[] = [];
  let lowWater = 0;

  const isSet = (op: number) => (words[op >>> 5]! & (1 << (op & 31))) !== 0;
  const toggle = (op: number) => {
    words[op >>> 5]! ^= 1 << (op & 31);
    h1 ^= key1[op]!;
    h2 ^= key2[op]!;
  };
  const remember = (after: State): boolean => {
    // The earliest operation still open: the list holds the calls of open operations in call order (and the one being placed).
    let e = next[head]!;
    while (e !== -1 && isSet(e >> 1)) e = next[e]!;
    const first = e === -1 ? n : e >> 1;
    // The words from first's to the last that holds one of the (count - first) operations set beyond it.
    const from = first >>> 5;
    let wanted = count - first;
    let to = from;
    if (wanted > 0) {
      wanted += popcount(words[from]! & ((1 << (first & 31)) - 1)); // the ones below first in its word are set too
      for (to = from; ; to++) {
        wanted -= popcount(words[to]!);
        if (wanted <= 0) break;
      }
    }
    return memo.add(h1, h2, model.hash(after), after, first, words, from, wanted > 0 || count - first > 0 ? to - from + 1 : 0);
  };
  const place = (op: number, to: State, alt: number) => {
    stackOp[depth] = op;
    stackState[depth] = state;
    stackAlt[depth] = alt;
    depth++;
    state = to;
    lift(op, next, prev, hasReturn);
    entry = next[head]!;
  };
  /** Tries operation `op`'s next states from alternative `from` on; true when one was new to the memo. */
  const apply = model.apply;
  const tryPlace = (op: number, from: number): boolean => {
    if (apply) {
      // The common case, one next state, without an array for it.
      if (from > 0) return false;
      const after = apply(state, ops[op]!);
      if (after === undefined) return false;
      toggle(op);
      count++;
      if (remember(after)) {
        place(op, after, 0);
        return true;
      }
      toggle(op);
      count--;
      return false;
    }
    const options = model.step!(state, ops[op]!);
    if (options.length <= from) return false;
    toggle(op);
    count++;
    for (let alt = from; alt < options.length; alt++) {
      if (remember(options[alt]!)) {
        place(op, options[alt]!, alt);
        return true;
      }
    }
    toggle(op);
    count--;
    return false;
  };

  const run = (slice: number, limits: SearchLimits): SearchOutcome<State> | undefined => {
    const until = steps + slice;
    for (;;) {
      if ((++steps & (CHECK_EVERY - 1)) === 0) {
        if (limits.stop && Atomics.load(limits.stop, 0) !== 0) return { outcome: "unknown", reason: "stopped", stopped: true, steps, memo: memo.size };
        if (Date.now() > limits.deadline) return { outcome: "unknown", reason: "out of time", stopped: false, steps, memo: memo.size };
        if (steps >= until) return undefined;
      }
      // Past the last return: only operations of unknown outcome are left, and they may never have happened.
      if (entry === -1) return { outcome: "ok", order: Array.from(stackOp.subarray(0, depth)), steps, memo: memo.size };
      const op = entry >> 1;
      if ((entry & 1) === 0) {
        if (!tryPlace(op, 0)) entry = next[entry]!;
        continue;
      }
      // A return whose operation is not placed: the prefix on the stack leads nowhere.
      if (depth > best.length || bestStuck === -1) {
        best.length = Math.min(best.length, lowWater);
        for (let i = best.length; i < depth; i++) best.push(stackOp[i]!);
        lowWater = depth;
        bestStuck = op;
        bestStates = [state];
      } else if (depth === best.length && lowWater >= depth && bestStates.length < STATES_KEPT && !bestStates.some((s) => model.equal(s, state))) {
        // The same prefix (nothing below it was undone since it was recorded), reached in another state.
        bestStates.push(state);
      }
      if (depth === 0) break;
      // Backtrack: undo the top operation and try its other next states, then the operations after it.
      depth--;
      const top = stackOp[depth]!;
      state = stackState[depth]!;
      if (depth < lowWater) lowWater = depth;
      unlift(top, next, prev, hasReturn);
      toggle(top);
      count--;
      if (!tryPlace(top, stackAlt[depth]! + 1)) entry = next[2 * top]!;
    }
    return { outcome: "illegal", prefix: best, stuck: [bestStuck, ...openBefore(ops, best, bestStuck)], states: bestStates, steps, memo: memo.size };
  };

  let done: SearchOutcome<State> | undefined;
  return {
    advance(slice, limits) {
      if (done) return done;
      try {
        done = run(slice, limits);
      } catch (e) {
        if (!(e instanceof MemoFullError)) throw e;
        done = { outcome: "unknown", reason: e.message, stopped: false, steps, memo: memo.size };
      }
      if (done) memo.release();
      return done;
    },
  };
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** The other operations not in the prefix that were running when `stuck` returned: they could not go next either. */
function openBefore(ops: readonly Operation[], prefix: number[], stuck: number): number[] {
  const placed = new Set(prefix);
  const deadline = ops[stuck]!.ret;
  const out: number[] = [];
  for (let i = 0; i < ops.length && ops[i]!.call <= deadline; i++) if (i !== stuck && !placed.has(i)) out.push(i);
  return out;
}

/** Links calls and returns in time order (calls first at equal times: touching operations are concurrent). */
function linkEntries(ops: readonly Operation[], head: number, next: Int32Array, prev: Int32Array, hasReturn: Uint8Array): void {
  const entries: number[] = [];
  for (let i = 0; i < ops.length; i++) {
    entries.push(2 * i);
    if (ops[i]!.ret !== Infinity) {
      hasReturn[i] = 1;
      entries.push(2 * i + 1);
    }
  }
  const time = (e: number) => (e & 1 ? ops[e >> 1]!.ret : ops[e >> 1]!.call);
  entries.sort((a, b) => time(a) - time(b) || (a & 1) - (b & 1) || a - b);
  let last = head;
  for (const e of entries) {
    next[last] = e;
    prev[e] = last;
    last = e;
  }
}

function lift(op: number, next: Int32Array, prev: Int32Array, hasReturn: Uint8Array): void {
  unlink(2 * op, next, prev);
  if (hasReturn[op]) unlink(2 * op + 1, next, prev);
}

function unlift(op: number, next: Int32Array, prev: Int32Array, hasReturn: Uint8Array): void {
  if (hasReturn[op]) relink(2 * op + 1, next, prev);
  relink(2 * op, next, prev);
}

function unlink(e: number, next: Int32Array, prev: Int32Array): void {
  next[prev[e]!] = next[e]!;
  if (next[e] !== -1) prev[next[e]!] = prev[e]!;
}

function relink(e: number, next: Int32Array, prev: Int32Array): void {
  next[prev[e]!] = e;
  if (next[e] !== -1) prev[next[e]!] = e;
}
