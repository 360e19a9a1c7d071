import type { Operation } from "./history.js";
import type { Model } from "./model.js";

// Model states interned to small integers, and each (state, operation)
// transition computed once: the search then never calls the model twice for
// the same step, and compares states by id.

/** No state follows (the operation cannot happen there). */
export const NONE = -1;


/** Beyond this many cached transitions the table starts afresh (it is only a cache). */
const MAX_CACHED = 1 << 21;

export class StateSpace<State> {
  readonly states: State[] = [];
  private readonly byHash = new Map<number, number | number[]>();
  /** Outcomes with several next states, referred to from the table as -3 - index. */
  private readonly several: number[][] = [];
  // An open-addressing table (state, op) → outcome.
  private capacity = 1 << 10;
  private keyState = new Int32Array(this.capacity).fill(-1);
  private keyOp = new Int32Array(this.capacity);
  private value = new Int32Array(this.capacity);
  private size = 0;

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
    const mask = this.capacity - 1;
    let slot = (Math.imul(from, 0x9e3779b1) ^ Math.imul(op, 0x85ebca6b)) & mask;
    for (;;) {
      const s = this.keyState[slot]!;
      if (s === -1) break;
      if (s === from && this.keyOp[slot] === op) {
        const v = this.value[slot]!;
        return v >= NONE ? v : this.several[-3 - v]!;
      }
      slot = (slot + 1) & mask;
    }
    const after = this.model.step(this.states[from]!, this.ops[op]!);
    let v: number;
    if (after.length === 0) v = NONE;
    else if (after.length === 1) v = this.intern(after[0]!);
    else {
      const ids = [...new Set(after.map((s) => this.intern(s)))];
      if (ids.length === 1) v = ids[0]!;
      else {
        this.several.push(ids);
        v = -3 - (this.several.length - 1);
      }
    }
    this.store(from, op, v);
    return v >= NONE ? v : this.several[-3 - v]!;
  }

  private store(from: number, op: number, v: number): void {
    if (this.size * 2 >= this.capacity) {
      if (this.size >= MAX_CACHED) this.reset(this.capacity);
      else this.grow();
    }
    const mask = this.capacity - 1;
    let slot = (Math.imul(from, 0x9e3779b1) ^ Math.imul(op, 0x85ebca6b)) & mask;
    while (this.keyState[slot] !== -1) slot = (slot + 1) & mask;
    this.keyState[slot] = from;
    this.keyOp[slot] = op;
    this.value[slot] = v;
    this.size++;
  }

  private grow(): void {
    const old = { state: this.keyState, op: this.keyOp, value: this.value };
    this.reset(this.capacity * 2);
    for (let i = 0; i < old.state.length; i++) if (old.state[i] !== -1) this.store(old.state[i]!, old.op[i]!, old.value[i]!);
  }

  private reset(capacity: number): void {
    this.capacity = capacity;
    this.keyState = new Int32Array(capacity).fill(-1);
    this.keyOp = new Int32Array(capacity);
    this.value = new Int32Array(capacity);
    this.size = 0;
  }

  private add(state: State): number {
    this.states.push(state);
    return this.states.length - 1;
  }
}


