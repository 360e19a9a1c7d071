import type { HistoryEvent, NemesisInterval, Value } from "../../checkers/linearizability/history.js";

// What clients saw, in Jepsen's shape: an `invoke` when an operation is
// called, then `ok` (it happened, with what came back), `fail` (it certainly
// did not happen) or `info` (nobody knows), on a monotonic nanosecond clock
// that starts with the recording. Faults go in too, as `process: "nemesis"`
// events, each start paired with the event that ends it.

export type Completion = "ok" | "fail" | "info";

/** A fault in the history: its start was recorded, its end may not be yet. */
export interface OpenFault {
  readonly f: string;
  readonly value: Value;
  /** The nodes it touches, so that ending a node's faults finds it. */
  readonly nodes: readonly string[];
  /** Records the event that ends the fault (once; later calls do nothing). */
  end(f: string, value?: Value): void;
}

export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];
  private readonly faults: { interval: NemesisInterval; open: OpenFault; ended: boolean }[] = [];
  private readonly t0: bigint;

  constructor(private readonly clock: () => bigint = process.hrtime.bigint) {
    this.t0 = clock();
  }

  /** Nanoseconds since the recording started. */
  now(): number {
    return Number(this.clock() - this.t0);
  }

  invoke(process: number, f: string, key: string, value: Value): void {
    this.events.push({ process, type: "invoke", f, key, value, time: this.now() });
  }

  complete(process: number, type: Completion, f: string, key: string, value: Value): void {
    this.events.push({ process, type, f, key, value, time: this.now() });
  }

  /** Records a fault's start; end it with the returned handle. */
  faultStarted(f: string, value: Value, nodes: readonly string[]): OpenFault {
    const time = this.now();
    this.events.push({ process: "nemesis", type: "info", f, value, time });
    const interval: NemesisInterval = { f, value, start: time, end: Infinity };
    const entry = {
      interval,
      ended: false,
      open: {
        f,
        value,
        nodes,
        end: (endF: string, endValue: Value = value) => {
          if (entry.ended) return;
          entry.ended = true;
          interval.end = this.now();
          this.events.push({ process: "nemesis", type: "info", f: endF, value: endValue, time: interval.end });
        },
      },
    };
    this.faults.push(entry);
    return entry.open;
  }

  /** Faults still going on, oldest first, optionally only those of kind `f`. */
  openFaults(f?: string): OpenFault[] {
    return this.faults.filter((e) => !e.ended && (f === undefined || e.open.f === f)).map((e) => e.open);
  }

  /** Every fault with when it started and ended (Infinity while it goes on), for the picture. */
  intervals(): NemesisInterval[] {
    return this.faults.map((e) => ({ ...e.interval }));
  }

  /** How many operations ended each way so far. */
  counts(): Record<Completion, number> {
    const counts = { ok: 0, fail: 0, info: 0 };
    for (const e of this.events) if (e.process !== "nemesis" && e.type !== "invoke") counts[e.type]++;
    return counts;
  }
}
