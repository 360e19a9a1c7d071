// A timer queue on one Node timer: events ordered by due time (a binary
// heap), so a simulated network with thousands of messages in flight costs
// one setTimeout, not one per message. Events due now (a zero delay: a hop at
// --latency 0) skip the timer: they wait in a FIFO run in one batch by
// setImmediate, so a zero-latency hop costs an event-loop turn, not
// setTimeout's 1 ms minimum. Events with equal due times run in the order
// they were scheduled.

interface Entry {
  at: number;
  seq: number;
  run: () => void;
}

export class Scheduler {
  private readonly heap: Entry[] = [];
  /** Zero-delay events, in order; `head` is the next to run. */
  private now: (() => void)[] = [];
  private immediate: NodeJS.Immediate | undefined;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  private stopped = false;

  /** Runs `run` after `delayMs` (0 or less: on the next turn, in order). */
  after(delayMs: number, run: () => void): void {
    if (this.stopped) return;
    if (delayMs <= 0) {
      this.now.push(run);
      this.immediate ??= setImmediate(this.runNow);
      return;
    }
    this.push({ at: performance.now() + delayMs, seq: this.seq++, run });
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.heap.length = 0;
    this.now = [];
  }

  get pending(): number {
    return this.heap.length + this.now.length;
  }

  /** Runs the zero-delay events queued so far; those they queue run on the next turn (I/O goes first). */
  private readonly runNow = (): void => {
    this.immediate = undefined;
    const batch = this.now;
    this.now = [];
    for (let i = 0; i < batch.length; i++) {
      batch[i]!();
      if (this.stopped) return;
    }
  };

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
    let n = 0;
    while (this.heap.length > 0 && this.heap[0]!.at <= now + 0.5 && n++ < 10_000) {
      const e = this.pop();
      e.run();
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
