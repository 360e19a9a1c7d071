import type { Operation } from "./history.js";
import type { Model } from "./model.js";

// Model states interned to small integers, and each (state, operation)
// transition computed once: the search then never calls the model twice for
// the same step, and compares states by id.

/** No state follows (the operation cannot happen there). */
const NONE = -1;
/** Beyond this many cached transitions the cache starts afresh (it is only a cache). */
const MAX_CACHED = 1 << 20;

export class StateSpace<State> {
  readonly states: State[] = [];
  private readonly byHash = new Map<number, number | number[]>();
  private transitions = new Map<number, number | number[]>();

  constructor(
    private readonly model: Model<State>,
    private readonly ops: readonly Operation[],
  ) {}

  intern(state: State): number {
    const h = this.model.hash(state);
    const found = this.byHash.get(h);
    if (found === undefined) {
      this.byHash.set(h, this.add(state));
      return this.states.length - 1;
    }
    const ids = typeof found === "number" ? [found] : found;
    for (const id of ids) if (this.model.equal(this.states[id]!, state)) return id;
    const id = this.add(state);
    this.byHash.set(h, [...ids, id]);
    return id;
  }

  /** The states after operation `op` (its number in this part) from state `from`: NONE, one id, or several. */
  next(from: number, op: number): number | number[] {
    const key = from * this.ops.length + op;
    const cached = this.transitions.get(key);
    if (cached !== undefined) return cached;
    const after = this.model.step(this.states[from]!, this.ops[op]!);
    const result = after.length === 0 ? NONE : after.length === 1 ? this.intern(after[0]!) : [...new Set(after.map((s) => this.intern(s)))];
    if (this.transitions.size >= MAX_CACHED) this.transitions = new Map();
    this.transitions.set(key, result);
    return result;
  }

  private add(state: State): number {
    this.states.push(state);
    return this.states.length - 1;
  }
}

export { NONE };
