// The search's memo: the (set of operations linearized, state) pairs already
// explored. Operations are numbered in call order, and a search that has
// linearized everything before operation k (the earliest one still open)
// has linearized only a few operations beyond it, so a set is stored as k
// plus the few bitset words from k's to the last one set: a few words,
// whatever the history's length. Two Zobrist fingerprints of the whole set
// and the state's hash make lookups cheap; the exact comparison (words, then
// the model's equality) makes them sound.

/** Bytes a slot of the table costs: eight 32-bit fields (six used), and a state reference (8 bytes) per entry. */
const SLOT_BYTES = 40;

export class MemoFullError extends Error {}

/** Memory shared by the memos of one thread: what they may use together, and what they use now. */
export class MemoryBudget {
  used = 0;
  constructor(readonly limit: number) {}
}

/** A slot's fields, side by side in one typed array so that a probe touches one cache line. */
const FP1 = 0;
const FP2 = 1;
const FIRST = 2;
const LENGTH = 3;
const OFFSET = 4;
/** The state's index in `states`, plus one (0: the slot is empty). */
const STATE = 5;
const STRIDE = 8;

export class Memo<State> {
  private capacity = 1 << 12;
  private slots = new Int32Array(this.capacity * STRIDE);
  private pool = new Int32Array(1 << 10);
  private states: State[] = [];
  private poolUsed = 0;
  size = 0;
  /** Bytes of the states kept (an estimate, from the model). */
  private heldBytes = 0;

  /** Past the budget, add() throws MemoFullError. */
  constructor(
    private readonly budget: MemoryBudget,
    private readonly equal: (a: State, b: State) => boolean,
    private readonly stateBytes: (state: State) => number = () => 32,
  ) {
    budget.used += this.bytes;
  }

  /** Gives the memo's memory back to the budget; the memo is not used after. */
  release(): void {
    this.budget.used -= this.bytes;
  }

  get bytes(): number {
    return this.capacity * SLOT_BYTES + this.pool.length * 4 + this.heldBytes;
  }

  /**
   * Adds the pair unless it is there; true when it was new. The set is every
   * operation below `first`, and the bits of `words[from .. from + count)`
   * (word `from` holds `first`).
   */
  add(h1: number, h2: number, stateHash: number, state: State, first: number, words: Uint32Array, from: number, count: number): boolean {
    // The state's hash goes into the second fingerprint: one probe compares both.
    h1 |= 0;
    h2 = (h2 ^ stateHash) | 0;
    const slots = this.slots;
    const mask = this.capacity - 1;
    let slot = mix(h1, h2) & mask;
    for (;;) {
      const at = slot * STRIDE;
      const held = slots[at + STATE]!;
      if (held === 0) break;
      if (
        slots[at + FP1] === h1 &&
        slots[at + FP2] === h2 &&
        slots[at + FIRST] === first &&
        slots[at + LENGTH] === count &&
        this.sameWords(slots[at + OFFSET]!, words, from, count) &&
        this.equal(this.states[held - 1]!, state)
      ) {
        return false;
      }
      slot = (slot + 1) & mask;
    }
    if (this.poolUsed + count > this.pool.length) this.growPool(this.poolUsed + count);
    // The states live on the heap: counted too, so that they cannot outgrow the budget either.
    const bytes = this.stateBytes(state);
    this.ensureRoom(bytes);
    this.heldBytes += bytes;
    this.states.push(state);
    const at = slot * STRIDE;
    slots[at + FP1] = h1;
    slots[at + FP2] = h2;
    slots[at + FIRST] = first;
    slots[at + LENGTH] = count;
    slots[at + OFFSET] = this.poolUsed;
    slots[at + STATE] = this.states.length;
    for (let i = 0; i < count; i++) this.pool[this.poolUsed + i] = words[from + i]!;
    this.poolUsed += count;
    if (++this.size * 2 > this.capacity) this.growTable();
    return true;
  }

  private sameWords(at: number, words: Uint32Array, from: number, count: number): boolean {
    for (let i = 0; i < count; i++) if (this.pool[at + i] !== (words[from + i]! | 0)) return false;
    return true;
  }

  private growPool(needed: number): void {
    let length = this.pool.length * 2;
    while (length < needed) length *= 2;
    this.ensureRoom((length - this.pool.length) * 4);
    const pool = new Int32Array(length);
    pool.set(this.pool.subarray(0, this.poolUsed));
    this.pool = pool;
  }

  private growTable(): void {
    this.ensureRoom(this.capacity * SLOT_BYTES);
    const old = this.slots;
    this.capacity *= 2;
    this.slots = new Int32Array(this.capacity * STRIDE);
    const mask = this.capacity - 1;
    for (let from = 0; from < old.length; from += STRIDE) {
      if (old[from + STATE] === 0) continue;
      let slot = mix(old[from + FP1]!, old[from + FP2]!) & mask;
      while (this.slots[slot * STRIDE + STATE] !== 0) slot = (slot + 1) & mask;
      const to = slot * STRIDE;
      for (let i = 0; i < STRIDE; i++) this.slots[to + i] = old[from + i]!;
    }
  }

  private ensureRoom(more: number): void {
    if (this.budget.used + more > this.budget.limit) {
      throw new MemoFullError(`the search needed more than its ${Math.round(this.budget.limit / 2 ** 20)} MiB of memory (${this.size.toLocaleString("en-US")} explored states in this part)`);
    }
    this.budget.used += more;
  }
}

function mix(h1: number, h2: number): number {
  let x = (h1 ^ Math.imul(h2, 0x9e3779b1)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  return x >>> 0;
}
