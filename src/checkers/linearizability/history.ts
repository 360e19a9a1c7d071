// Histories as clients saw them: an `invoke` when an operation was called and
// a completion (`ok`, `fail`, `info`) when its answer came, Jepsen's shape.
// Every format we read becomes a list of HistoryEvent; the checker works on
// Operations, each an invoke paired with its completion.

/** A value as histories carry them: JSON's values. */
export type Value = null | boolean | number | string | Value[] | { [key: string]: Value };

export type EventType = "invoke" | "ok" | "fail" | "info";

export interface HistoryEvent {
  /** The client (a number or a name); "nemesis" for fault events. */
  process: number | string;
  type: EventType;
  f: string;
  /** The key, where the history is per key. */
  key?: Value;
  value: Value;
  /** Nanoseconds on a monotonic clock; absent in formats without times (then the event's position is its time). */
  time?: number;
  /** Where the event came from (1-based line), for error messages. */
  line?: number;
}

/** An invoke paired with its completion. Failed operations (definitely no effect) are not Operations. */
export interface Operation {
  /** Index in History.operations. */
  id: number;
  process: number | string;
  f: string;
  key?: Value;
  /** The value sent (the invoke's value). */
  input: Value;
  /** The value that came back (the ok's value); undefined when the outcome is unknown. */
  output?: Value;
  /** "ok": it took effect between call and ret; "info": it may have taken effect any time after call, or never. */
  status: "ok" | "info";
  call: number;
  /** Infinity when the outcome is unknown. */
  ret: number;
  /** The line of the invoke, when read from a file. */
  line?: number;
}

/** A fault as the history recorded it (process "nemesis"): drawn as a band from `start` to `end`. */
export interface NemesisInterval {
  f: string;
  value: Value;
  start: number;
  /** When the matching stop/heal/repair event came; Infinity when the fault was never ended. */
  end: number;
}

export interface History {
  operations: Operation[];
  nemesis: NemesisInterval[];
  /** How many invocations failed (definite refusals, left out of the check). */
  failed: number;
}

export class HistoryError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
  }
}

const isNemesis = (p: number | string) => p === "nemesis";

/**
 * Pairs each client's invoke with its next completion. An invoke never
 * completed is an operation of unknown outcome; a completion without an
 * invoke, or a second invoke before the first completed, is an error.
 */
export function pairOperations(events: readonly HistoryEvent[]): History {
  const timed = events.every((e) => e.time !== undefined || isNemesis(e.process));
  const timeOf = (e: HistoryEvent, i: number) => (timed ? e.time! : i);
  const open = new Map<number | string, { event: HistoryEvent; at: number }>();
  const operations: Operation[] = [];
  const nemesis: NemesisInterval[] = [];
  const openFaults: NemesisInterval[] = [];
  let failed = 0;
  events.forEach((e, i) => {
    const at = timed && e.time === undefined ? (i === 0 ? 0 : timeOf(events[i - 1]!, i - 1)) : timeOf(e, i);
    if (isNemesis(e.process)) return recordFault(e, at, nemesis, openFaults);
    if (e.type === "invoke") {
      const pending = open.get(e.process);
      if (pending) throw new HistoryError(`process ${String(e.process)} invoked ${e.f} while its ${pending.event.f} (line ${pending.event.line ?? "?"}) had not completed`, e.line);
      open.set(e.process, { event: e, at });
      return;
    }
    const pending = open.get(e.process);
    if (!pending) throw new HistoryError(`process ${String(e.process)} completed ${e.f} (${e.type}) without invoking it`, e.line);
    if (pending.event.f !== e.f) throw new HistoryError(`process ${String(e.process)} invoked ${pending.event.f} but completed ${e.f}`, e.line);
    open.delete(e.process);
    if (e.type === "fail") {
      failed++;
      return;
    }
    operations.push(operation(operations.length, pending.event, pending.at, e.type === "ok" ? { output: e.value, ret: at } : undefined));
  });
  for (const { event, at } of open.values()) operations.push(operation(operations.length, event, at, undefined));
  return { operations, nemesis, failed };
}

function operation(id: number, invoke: HistoryEvent, call: number, done: { output: Value; ret: number } | undefined): Operation {
  const op: Operation = { id, process: invoke.process, f: invoke.f, input: invoke.value, status: done ? "ok" : "info", call, ret: done ? done.ret : Infinity };
  if (invoke.key !== undefined) op.key = invoke.key;
  if (done) op.output = done.output;
  if (invoke.line !== undefined) op.line = invoke.line;
  return op;
}

/**
 * What ends which fault: Jepsen's generic stop ends every open fault; a heal
 * ends partitions, a repair ends impairments, a restart (or resume, recover)
 * ends the kill or pause of the same node; a membership change ends when it
 * is done (joined, left, reconfigured).
 */
const ENDINGS: { end: RegExp; ends: RegExp | undefined; sameValue: boolean }[] = [
  { end: /^(stop|end)/i, ends: undefined, sameValue: false },
  { end: /^heal/i, ends: /partition|isolate|split|cut/i, sameValue: false },
  { end: /^repair/i, ends: /impair|slow|delay|loss|lossy|duplicate|reorder/i, sameValue: false },
  { end: /^(restart|resume|recover)/i, ends: /kill|crash|pause|stop/i, sameValue: true },
  { end: /^(joined|left|reconfigured)$/i, ends: /^(join|leave|reconfigure)$/i, sameValue: true },
];

/** Faults start with an invoke (or an info "start") and end with the event that heals, repairs or restarts them. */
function recordFault(e: HistoryEvent, at: number, all: NemesisInterval[], open: NemesisInterval[]): void {
  const ending = ENDINGS.find((x) => x.end.test(e.f));
  if (ending) {
    if (e.type === "invoke") return; // the end counts when it is done
    for (let i = open.length - 1; i >= 0; i--) {
      const fault = open[i]!;
      if (ending.ends && !ending.ends.test(fault.f)) continue;
      if (ending.sameValue && e.value !== null && JSON.stringify(fault.value) !== JSON.stringify(e.value)) continue;
      fault.end = at;
      open.splice(i, 1);
    }
    return;
  }
  // A start reported twice (invoke, then info/ok) is one fault.
  if (e.type !== "invoke" && open.some((f) => f.f === e.f && f.start <= at && JSON.stringify(f.value) === JSON.stringify(e.value))) return;
  const fault: NemesisInterval = { f: e.f, value: e.value, start: at, end: Infinity };
  all.push(fault);
  open.push(fault);
}

/** "put(x, 1)", "get(x) → 1", "cas(x, [1, 2]) → ?": how an operation reads in messages. */
export function describeOperation(op: Operation): string {
  const args = [op.key, op.input].filter((v) => v !== undefined && v !== null).map(show);
  const call = `${op.f}(${args.join(", ")})`;
  if (op.status === "info") return `${call} → ?`;
  return op.output === undefined || op.output === null || (op.input !== null && JSON.stringify(op.output) === JSON.stringify(op.input))
    ? op.output === null && op.input === null ? `${call} → nil` : call
    : `${call} → ${show(op.output)}`;
}

export function show(v: Value | undefined): string {
  if (v === undefined) return "?";
  if (v === null) return "nil";
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  return JSON.stringify(v);
}

/** "client 3": how a process reads in messages. */
export function describeProcess(p: number | string): string {
  return typeof p === "number" || /^\d+$/.test(p) ? `client ${p}` : String(p);
}
