import type { Operation, Value } from "./history.js";

// A sequential specification, as a small plain object: a new model is a few
// lines. The checker interns states (hash once, then compare by id), so a
// model never has to be fast at anything but `step`.

export interface Model<State = unknown> {
  name: string;
  /** One line for `clstr check linearizable --help`: the operations it knows. */
  summary: string;
  init(): State;
  /**
   * The state after `op` takes effect in `state`; undefined when it cannot
   * happen there. For an operation of unknown outcome (`op.status` "info",
   * no output) the state if it did take effect: not taking effect at all is
   * the checker's business. A model gives `apply`, or `step` when an
   * operation can lead to several states.
   */
  apply?(state: State, op: Operation): State | undefined;
  /** Like apply, for nondeterministic objects: every state `op` can lead to (empty when it cannot happen). */
  step?(state: State, op: Operation): State[];
  /** A 32-bit hash of a state; equal states must hash alike. */
  hash(state: State): number;
  equal(a: State, b: State): boolean;
  /** Roughly how many bytes a state takes, counted against the memory budget (default 32). */
  bytes?(state: State): number;
  /** "x = 1", "empty": a state in words. */
  describe(state: State): string;
  /** Rewrites an operation once, before anything else (e.g. a key carried inside the value). */
  normalize?(op: Operation): Operation;
  /** Independent parts (P-compositionality): the part an operation belongs to. Absent: one part. */
  partition?(op: Operation): string;
  /** The model for one part, when partitioned: the same semantics with a cheaper state (one key's value, not a map). */
  partModel?: Model<any>;
  /**
   * For pruning operations of unknown outcome: the value an operation puts in
   * place regardless of what was there (a write's value, a cas's new value),
   * and the values an operation observes (a read's answer, a cas's expected
   * value). An unknown-outcome operation whose value no operation of its part
   * observes can be left out: had it taken effect, nothing saw it, so the
   * order without it explains as much. Leave both out for objects where a
   * later operation builds on the value (appends).
   */
  writes?(op: Operation): { value: Value } | undefined;
  observes?(op: Operation): Value[];
  /** Operations of unknown outcome that cannot change anything (reads), left out of the search. */
  readOnly?(op: Operation): boolean;
  /** A sentence about what is wrong with an operation's shape, or undefined when it is well formed. */
  validate?(op: Operation): string | undefined;
}

/** The states `op` can lead to from `state`, whichever of apply and step the model gives. */
export function successors<State>(model: Model<State>, state: State, op: Operation): State[] {
  if (model.step) return model.step(state, op);
  const next = model.apply!(state, op);
  return next === undefined ? [] : [next];
}

/** A string hash (FNV-1a), for models to build theirs from. */
export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
