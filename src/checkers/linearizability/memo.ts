// The search's memo: the (set of operations linearized, state) pairs already
// explored. Operations are numbered in call order, and a search that has
// linearized everything before operation k (the earliest one still open)
// has linearized only a few operations beyond it, so a set is stored as k
// plus the few bitset words from k's to the last one set: a few words,
// whatever the history's length. Two Zobrist fingerprints of the whole set
// and the state's hash make lookups cheap; the exact comparison (words, then
// the model's equality) makes them sound.

/** Bytes a slot of the table costs: six 32-bit fields, and a state reference (8 bytes) per entry. */
const SLOT_BYTES = 32;

export class MemoFullError extends Error {}

/** Memory shared by the memos of one thread: what they may use together, and what they use now. */
export class MemoryBudget {
  used = 0;
  constructor(readonly limit: number) {}
}

export class Memo<State> {
  private capacity = 1 << 12;
  private fp1 = new Uint32Array(this.capacity);
  private fp2 = new Uint32Array(this.capacity);
  private state = new Int32Array(this.capacity).fill(-1);
  private first = new Int32Array(this.capacity);
  private length = new Int32Array(this.capacity);
  private offset = new Int32Array(this.capacity);
  private pool = new Uint32Array(1 << 12);
  private states: State[] = [];
  private poolUsed = 0;
  size = 0;

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

  /** Bytes of the states kept (an estimate, from the model). */
  private heldBytes = 0;

  get bytes(): number {
    return this.capacity * SLOT_BYTES + this.pool.length * 4 + this.heldBytes;
  }

  /**
   * Adds the pair unless it is there; true when it was new. The set is every
   * operation below `first`, and the bits of `words[from .. from + count)`
   * (word `from` holds `first`).
   */
  add(h1: number, h2: number, stateHash: number, state: State, first: number, words: Uint32Array, from: number, count: number): boolean {
    // XOR the state's hash into the second fingerprint: one probe compares both.
    h1 >>>= 0;
    h2 = (h2 ^ stateHash) >>> 0;
    const mask = this.capacity - 1;
    let slot = mix(h1, h2) & mask;
    for (;;) {
      const at = this.state[slot]!;
      if (at === -1) break;
      if (this.fp1[slot] === h1 && this.fp2[slot] === h2 && this.first[slot] === first && this.length[slot] === count && this.sameWords(slot, words, from, count) && this.equal(this.states[at]!, state)) {
        return false;
      }
      slot = (slot + 1) & mask;
    }
    if (this.poolUsed + count > this.pool.length) this.growPool(this.poolUsed + count);
    // The states live on the heap: counted too, so that they cannot outgrow the budget either.
    const bytes = this.stateBytes(state);
    this.ensureRoom(bytes);
    this.heldBytes += bytes;
    this.state[slot] = this.states.length;
    this.states.push(state);
    this.fp1[slot] = h1;
    this.fp2[slot] = h2;
    this.first[slot] = first;
    this.length[slot] = count;
    this.offset[slot] = this.poolUsed;
    this.pool.set(words.subarray(from, from + count), this.poolUsed);
    this.poolUsed += count;
    if (++this.size * 2 > this.capacity) this.growTable();
    return true;
  }

  private sameWords(slot: number, words: Uint32Array, from: number, count: number): boolean {
    const at = this.offset[slot]!;
    for (let i = 0; i < count; i++) if (this.pool[at + i] !== words[from + i]) return false;
    return true;
  }

  private growPool(needed: number): void {
    let length = this.pool.length * 2;
    while (length < needed) length *= 2;
    this.ensureRoom((length - this.pool.length) * 4);
    const pool = new Uint32Array(length);
    pool.set(this.pool.subarray(0, this.poolUsed));
    this.pool = pool;
  }

  private growTable(): void {
    const capacity = this.capacity * 2;
    this.ensureRoom(this.capacity * SLOT_BYTES);
    const old = { fp1: this.fp1, fp2: this.fp2, state: this.state, first: this.first, length: this.length, offset: this.offset };
    this.capacity = capacity;
    this.fp1 = new Uint32Array(capacity);
    this.fp2 = new Uint32Array(capacity);
    this.state = new Int32Array(capacity).fill(-1);
    this.first = new Int32Array(capacity);
    this.length = new Int32Array(capacity);
    this.offset = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let i = 0; i < old.state.length; i++) {
      const s = old.state[i]!;
      if (s === -1) continue;
      let slot = mix(old.fp1[i]!, old.fp2[i]!) & mask;
      while (this.state[slot] !== -1) slot = (slot + 1) & mask;
      this.state[slot] = s;
      this.fp1[slot] = old.fp1[i]!;
      this.fp2[slot] = old.fp2[i]!;
      this.first[slot] = old.first[i]!;
      this.length[slot] = old.length[i]!;
      this.offset[slot] = old.offset[i]!;
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
