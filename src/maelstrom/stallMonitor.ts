// The engine's own stalls. The simulated network's delays and every latency
// the checkers measure are wall-clock times, so when the engine is starved of
// CPU (a busy machine, dozens of node processes on two cores) a message that
// should take 100 ms takes longer, and the learner's nodes look slow. A
// coarse timer notices: when it fires much later than asked, the engine was
// held up for the difference. The threshold checks say so when they fail.

/** A time the engine could not run: when it began (ms on the run's clock) and how long it lasted. */
export interface Stall {
  at: number;
  ms: number;
}

/** How often the monitor looks. */
const TICK_MS = 20;
/** Lateness below this is the timer's ordinary jitter, not a stall. */
const STALL_MS = 100;

export class StallMonitor {
  readonly stalls: Stall[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly clock: () => number) {}

  start(): void {
    let last = this.clock();
    this.timer = setInterval(() => {
      const now = this.clock();
      const late = now - last - TICK_MS;
      if (late >= STALL_MS) this.stalls.push({ at: last + TICK_MS, ms: Math.round(late) });
      last = now;
    }, TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** "held up 3 times (longest 550 ms, at 12.3 s; 780 ms in all)", or undefined when it never was. */
export function describeStalls(stalls: readonly Stall[]): string | undefined {
  if (stalls.length === 0) return undefined;
  const longest = stalls.reduce((a, b) => (b.ms > a.ms ? b : a));
  const total = stalls.reduce((n, s) => n + s.ms, 0);
  const times = stalls.length === 1 ? "once" : `${stalls.length} times`;
  return `held up ${times} (longest ${longest.ms} ms, at ${(longest.at / 1000).toFixed(1)} s; ${total} ms in all)`;
}
