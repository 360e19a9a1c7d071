// Histories for testing the linearizability checker, made by clients of a
// simulated object that is linearizable by construction: every operation
// takes effect at one random instant between its call and its return, and a
// real sequential object, stepped in the order of those instants, gives the
// outputs. Then `perturb` spoils one thing (a read's value, an operation's
// time) so that the result may or may not stay linearizable: the brute-force
// oracle says which.
import { describeOperation, pairOperations, type History, type HistoryEvent, type Operation, type Value } from "../../src/checkers/linearizability/history.js";
import { seeded } from "../../src/util/random.js";

export type GeneratedModel = "register" | "cas-register" | "kv" | "kv-cas";

export interface GenerateOptions {
  model: GeneratedModel;
  /** Clients calling concurrently: at most this many operations are open at once (info ones aside). */
  clients: number;
  /** Operations invoked (failed cas operations among them are left out of the history). */
  operations: number;
  /** Keys, for kv and kv-cas (register models have one object). Default 1. */
  keys?: number;
  seed: number;
  /** Share of operations whose outcome the client never learns. Default 0. */
  infoRate?: number;
  /** How long an operation lasts relative to the pause between a client's operations: 0 almost sequential, 1 default, more: more overlap. */
  overlap?: number;
  /** Every written value distinct (so that a stale read is certainly stale). Default: a few values, so that many orders explain a read. */
  distinctValues?: boolean;
}

interface Planned {
  process: number;
  f: string;
  key?: string;
  input: Value;
  call: number;
  /** When the answer (ok, fail) or the timeout (info) comes. */
  ret: number;
  info: boolean;
  /** When it takes effect; undefined: never (an info operation that was lost). */
  effect: number | undefined;
  output?: Value;
  failed?: boolean;
}

const READS = new Set(["read", "get"]);
const isRead = (op: { f: string }) => READS.has(op.f);

/** A history of `clients` clients of a linearizable object of `model`'s kind. */
export function generateHistory(options: GenerateOptions): History {
  const random = seeded(options.seed);
  const keys = options.model === "kv" || options.model === "kv-cas" ? Math.max(1, options.keys ?? 1) : 0;
  const infoRate = options.infoRate ?? 0;
  const overlap = options.overlap ?? 1;
  const int = (n: number) => Math.floor(random() * n);
  const free = new Array<number>(options.clients).fill(0); // when each client may call again
  const recent = new Map<string, Value[]>(); // the last values issued per key, for cas to expect
  let fresh = 0;
  const value = (): Value => {
    const n = options.distinctValues ? ++fresh : int(4);
    return options.model === "kv" ? `${"abcd"[n % 4]}${options.distinctValues ? n : ""}` : n;
  };
  const planned: Planned[] = [];
  for (let i = 0; i < options.operations; i++) {
    const c = earliest(free);
    const call = free[c]! + random() * 5;
    const length = 1 + random() * 10 * overlap;
    const ret = call + length;
    free[c] = ret;
    const info = random() < infoRate;
    const key = keys > 0 ? `k${int(keys)}` : undefined;
    const { f, input } = request(options.model, random, value, recent.get(key ?? "") ?? []);
    if (f !== "get" && f !== "read" && f !== "delete") remember(recent, key ?? "", f === "cas" ? (input as Value[])[1]! : input);
    // A lost request never takes effect; a timed-out one may take effect well after its caller gave up.
    const effect = !info ? call + random() * length : random() < 0.5 ? undefined : call + random() * length * 3;
    const op: Planned = { process: c, f, input, call, ret, info, effect };
    if (key !== undefined) op.key = key;
    planned.push(op);
  }
  apply(options.model, planned);
  return pairOperations(toEvents(planned));
}

function earliest(free: readonly number[]): number {
  let best = 0;
  for (let c = 1; c < free.length; c++) if (free[c]! < free[best]!) best = c;
  return best;
}

function remember(recent: Map<string, Value[]>, key: string, v: Value): void {
  const list = recent.get(key) ?? [];
  list.push(v);
  if (list.length > 3) list.shift();
  recent.set(key, list);
}

function request(model: GeneratedModel, random: () => number, value: () => Value, recent: readonly Value[]): { f: string; input: Value } {
  const r = random();
  const expected = (): Value => (recent.length > 0 && random() < 0.8 ? recent[Math.floor(random() * recent.length)]! : model === "cas-register" && random() < 0.3 ? null : value());
  switch (model) {
    case "register":
      return r < 0.5 ? { f: "read", input: null } : { f: "write", input: value() };
    case "cas-register":
      return r < 0.4 ? { f: "read", input: null } : r < 0.7 ? { f: "write", input: value() } : { f: "cas", input: [expected(), value()] };
    case "kv":
      return r < 0.4 ? { f: "get", input: null } : r < 0.7 ? { f: "put", input: value() } : { f: "append", input: value() };
    case "kv-cas":
      return r < 0.35 ? { f: "get", input: null } : r < 0.65 ? { f: "put", input: value() } : r < 0.75 ? { f: "delete", input: null } : { f: "cas", input: [expected(), value()] };
  }
}

const same = (a: Value | undefined, b: Value | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** Steps a real sequential object (a map from key to value) through the operations in the order they take effect. */
function apply(model: GeneratedModel, planned: Planned[]): void {
  const store = new Map<string, Value>();
  const taking = planned.filter((op) => op.effect !== undefined).sort((a, b) => a.effect! - b.effect!);
  for (const op of taking) {
    const k = op.key ?? "";
    const current: Value = store.has(k) ? store.get(k)! : model === "kv" ? "" : null;
    switch (op.f) {
      case "read":
      case "get":
        op.output = current;
        break;
      case "write":
      case "put":
        store.set(k, op.input);
        op.output = op.input;
        break;
      case "append":
        store.set(k, `${current as string}${op.input as string}`);
        op.output = op.input;
        break;
      case "delete":
        store.delete(k);
        op.output = null;
        break;
      case "cas": {
        const [from, to] = op.input as [Value, Value];
        if (same(current, from)) {
          store.set(k, to);
          op.output = op.input;
        } else op.failed = true;
        break;
      }
    }
  }
}

/** Invokes and completions in time order, re-timed to their ranks (0, 1, 2, …) so that no two events share a time. */
function toEvents(planned: readonly Planned[]): HistoryEvent[] {
  const timed: { at: number; event: HistoryEvent }[] = [];
  for (const op of planned) {
    const base = { process: op.process, f: op.f, ...(op.key !== undefined ? { key: op.key } : {}) };
    timed.push({ at: op.call, event: { ...base, type: "invoke", value: op.input } });
    const type = op.info ? "info" : op.failed ? "fail" : "ok";
    timed.push({ at: op.ret, event: { ...base, type, value: type === "ok" ? op.output! : op.input } });
  }
  timed.sort((a, b) => a.at - b.at);
  return timed.map(({ event }, i) => ({ ...event, time: i }));
}

/**
 * One thing spoiled, chosen by `seed`: a read returns another value (one the
 * history has seen, or a new one), or an operation is moved to return before
 * its call used to be (so before it really took effect). The result may or
 * may not be linearizable. The history given is left as it was.
 */
export function perturb(history: History, seed: number): History {
  const random = seeded(seed);
  const operations = history.operations.map((op) => ({ ...op }));
  const reads = operations.filter((op) => op.status === "ok" && isRead(op));
  const done = operations.filter((op) => op.status === "ok");
  if (done.length === 0) return { ...history, operations };
  if (reads.length > 0 && (random() < 0.5 || done.length === reads.length)) {
    const read = reads[Math.floor(random() * reads.length)]!;
    const others = valuesSeen(operations).filter((v) => !same(v, read.output));
    read.output = others.length > 0 && random() < 0.8 ? others[Math.floor(random() * others.length)]! : typeof read.output === "string" ? `${read.output}z` : 99;
  } else {
    const op = done[Math.floor(random() * done.length)]!;
    const length = op.ret - op.call;
    // Half-way between ranks, so no other event shares its times; a process of its own, so no client has two calls open.
    op.ret = op.call - 0.5 - Math.floor(random() * 4);
    op.call = op.ret - length;
    op.process = 1_000_000 + op.id;
  }
  return { ...history, operations: retimed(operations) };
}

/** The values a read might plausibly return: the history's written and read values, and the initial ones. */
function valuesSeen(operations: readonly Operation[]): Value[] {
  const all: Value[] = [null];
  for (const op of operations) {
    if (op.f === "cas" && Array.isArray(op.input)) all.push(...op.input);
    else if (op.input !== null) all.push(op.input);
    if (op.output !== undefined && isRead(op)) all.push(op.output);
  }
  if (operations.some((op) => op.f === "append")) all.push("");
  const unique = new Map(all.map((v) => [JSON.stringify(v), v]));
  return [...unique.values()];
}

/** Times mapped to their ranks among all finite call and return times, in order: the real-time order is unchanged. */
function retimed(operations: Operation[]): Operation[] {
  const times = [...new Set(operations.flatMap((op) => [op.call, op.ret]).filter(Number.isFinite))].sort((a, b) => a - b);
  const rank = new Map(times.map((t, i) => [t, i]));
  return operations.map((op) => ({ ...op, call: rank.get(op.call)!, ret: Number.isFinite(op.ret) ? rank.get(op.ret)! : Infinity }));
}

/**
 * A read late in the history made certainly stale (for histories generated
 * with distinctValues, on register, cas-register or kv-cas): it returns the
 * value of a write that another write certainly followed before the read
 * was called. When no such read exists, a read returns a value never written.
 */
export function staleRead(history: History): History {
  const operations = history.operations.map((op) => ({ ...op }));
  const writes = (key: Value | undefined) => operations.filter((op) => op.status === "ok" && (op.f === "write" || op.f === "put") && same(op.key, key));
  const byCall = [...operations].sort((a, b) => b.call - a.call);
  for (const read of byCall) {
    if (read.status !== "ok" || !isRead(read)) continue;
    const before = writes(read.key).filter((w) => w.ret < read.call);
    const later = before.find((w2) => before.some((w) => w.ret < w2.call));
    if (!later) continue;
    const overwritten = before.filter((w) => w.ret < later.call && !same(w.input, read.output));
    if (overwritten.length === 0) continue;
    read.output = overwritten[overwritten.length - 1]!.input;
    return { ...history, operations };
  }
  const read = byCall.find((op) => op.status === "ok" && isRead(op));
  if (read) read.output = "never written";
  return { ...history, operations };
}

/** One line per operation, in call order: `3 [0–4] c1 write(2)`, for a failing test to print. */
export function describeHistory(history: History): string {
  return [...history.operations]
    .sort((a, b) => a.call - b.call)
    .map((op) => `${op.id} [${op.call}–${op.status === "info" ? "∞" : op.ret}] p${String(op.process)} ${describeOperation(op)}`)
    .join("\n");
}

/** The history as a TypeScript literal, to paste into a regression test. */
export function historyLiteral(history: History): string {
  const ops = history.operations.map((op) => {
    const { line: _line, ...rest } = op;
    return `  ${JSON.stringify({ ...rest, ret: Number.isFinite(op.ret) ? op.ret : "Infinity" }).replace('"ret":"Infinity"', '"ret":Infinity')},`;
  });
  return `{ operations: [\n${ops.join("\n")}\n], nemesis: [], failed: ${history.failed} }`;
}
