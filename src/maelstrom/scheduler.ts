// A timer queue on one Node timer: events ordered by due time (a binary
// heap), so a simulated network with thousands of messages in flight costs
// one setTimeout, not one per message. Events due now (a zero delay: a hop at
// --latency 0) skip the timer: they wait in a FIFO run in one batch by
// setImmediate, so a zero-latency hop costs an event-loop turn, not
// setTimeout's 1 ms minimum. Events with equal due times run in the order
// they were scheduled.
//
// An event is a function and up to three arguments (`post`), so the network
// schedules a message's arrival without a closure per message; the FIFO is
// four parallel arrays reused from batch to batch.

import { performance } from "node:perf_hooks";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Task = (a: any, b: any, c: any) => void;

/** How many rounds of zero-delay events one turn runs (each round: what the one before queued). */
const ROUNDS = 4;

/** Timed events due within this many ms of a firing run in it: the timer queue's resolution (setTimeout's is 1 ms). */
export const SLACK_MS = 0.5;

interface Entry {
  at: number;
  seq: number;
  run: Task;
  a: unknown;
  b: unknown;
  c: unknown;
}

export class Scheduler {
  private readonly heap: Entry[] = [];
  /**
   * Zero-delay events, in order, as parallel arrays of which the first
   * `count` are used; the spare set is swapped in while a batch runs. The
   * arrays keep their size from batch to batch (no allocation per event).
   */
  private fns: (Task | undefined)[] = [];
  private as: unknown[] = [];
  private bs: unknown[] = [];
  private cs: unknown[] = [];
  private count = 0;
  private spareFns: (Task | undefined)[] = [];
  private spareAs: unknown[] = [];
  private spareBs: unknown[] = [];
  private spareCs: unknown[] = [];
  /** The clock (performance.now) as the batch or timer firing now running began: one read for all its events. */
  private turnStart = 0;
  private immediate: NodeJS.Immediate | undefined;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  private stopped = false;

  /** Runs `run` after `delayMs` (0 or less: on the next turn, in order). */
  after(delayMs: number, run: () => void): void {
    this.post(delayMs, run, undefined, undefined, undefined);
  }

  /** Runs `run(a, b, c)` after `delayMs` (0 or less: on the next turn, in order): an event without a closure. */
  post<A, B, C>(delayMs: number, run: (a: A, b: B, c: C) => void, a: A, b: B, c: C): void {
    if (this.stopped) return;
    if (delayMs <= 0) {
      const i = this.count++;
      if (i < this.fns.length) {
        this.fns[i] = run;
        this.as[i] = a;
        this.bs[i] = b;
        this.cs[i] = c;
      } else {
        this.fns.push(run);
        this.as.push(a);
        this.bs.push(b);
        this.cs.push(c);
      }
      this.immediate ??= setImmediate(this.runNow);
      return;
    }
    this.push({ at: performance.now() + delayMs, seq: this.seq++, run, a, b, c });
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.heap.length = 0;
    this.fns = [];
    this.as = [];
    this.bs = [];
    this.cs = [];
    this.count = 0;
  }

  get pending(): number {
    return this.heap.length + this.count;
  }

  /**
   * performance.now() as the batch of events now running began (the time an
   * event is handled, to within the batch: what the events before it in the
   * same batch took). Outside a batch, the time of the last one.
   */
  get batchStart(): number {
    return this.turnStart;
  }

  /**
   * Runs the zero-delay events queued so far, then those they queued, in
   * order, for up to `ROUNDS` rounds in this turn (a client's next request,
   * a service's reply: they need no new turn); what is still queued then
   * runs on the next turn, after I/O.
   */
  private readonly runNow = (): void => {
    this.immediate = undefined;
    for (let round = 0; round < ROUNDS && this.count > 0 && !this.stopped; round++) this.runBatch();
    if (this.count > 0 && !this.stopped) this.immediate ??= setImmediate(this.runNow);
  };

  private runBatch(): void {
    this.turnStart = performance.now();
    const fns = this.fns;
    const as = this.as;
    const bs = this.bs;
    const cs = this.cs;
    const n = this.count;
    this.fns = this.spareFns;
    this.as = this.spareAs;
    this.bs = this.spareBs;
    this.cs = this.spareCs;
    this.count = 0;
    let i = 0;
    try {
      for (; i < n; i++) {
        const run = fns[i]!;
        const a = as[i];
        const b = bs[i];
        const c = cs[i];
        fns[i] = as[i] = bs[i] = cs[i] = undefined; // nothing kept alive by a slot already run
        run(a, b, c);
        if (this.stopped) return;
      }
    } finally {
      // Events a throw left unrun keep their turn: they go first on the next one.
      if (i + 1 < n && !this.stopped) {
        for (let k = 0; k < this.count; k++) {
          fns[n + k] = this.fns[k];
          as[n + k] = this.as[k];
          bs[n + k] = this.bs[k];
          cs[n + k] = this.cs[k];
        }
        const rest = n + this.count;
        this.spareFns = this.fns;
        this.spareAs = this.as;
        this.spareBs = this.bs;
        this.spareCs = this.cs;
        this.fns = fns.slice(i + 1, rest);
        this.as = as.slice(i + 1, rest);
        this.bs = bs.slice(i + 1, rest);
        this.cs = cs.slice(i + 1, rest);
        this.count = rest - (i + 1);
        fns.length = as.length = bs.length = cs.length = 0;
        this.immediate ??= setImmediate(this.runNow);
      } else {
        this.spareFns = fns;
        this.spareAs = as;
        this.spareBs = bs;
        this.spareCs = cs;
      }
    }
  }

  private arm(): void {
    const next = this.heap[0];
    if (!next || next.at >= this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = next.at;
    this.timer = setTimeout(this.fire, Math.max(0, next.at - performance.now()));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = performance.now();
    this.turnStart = now;
    let n = 0;
    while (this.heap.length > 0 && this.heap[0]!.at <= now + SLACK_MS && n++ < 10_000) {
      const e = this.pop();
      e.run(e.a, e.b, e.c);
      if (this.stopped) return;
    }
    this.arm();
  };

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  private pop(): Entry {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    const n = h.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && before(h[r]!, h[l]!) ? r : l;
        if (!before(h[m]!, last)) break;
        h[i] = h[m]!;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
