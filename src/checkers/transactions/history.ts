// Transactional histories: each client invokes a transaction, a list of
// micro-operations [f, k, v], and completes it: ok (committed), fail (aborted:
// definitely not applied) or info (indeterminate: it may or may not have been
// applied). An invocation never completed is indeterminate too.

import { HistoryError, show, type HistoryEvent, type Value } from "../linearizability/history.js";

export { HistoryError, show, type HistoryEvent, type Value };

export type MopF = "r" | "w" | "append";

/** A micro-operation: read, write (rw-register) or append (list-append). */
export interface Mop {
  f: MopF;
  key: Value;
  /** The key as a Map key. */
  k: string | number;
  /** A read's value is null until the transaction completes ok. */
  value: Value;
}

export type TxnStatus = "ok" | "fail" | "info";

export interface Txn {
  /** Index in TxnHistory.txns, in invocation order; T<id> in messages. */
  id: number;
  process: number | string;
  status: TxnStatus;
  /** ok: the completion's micro-operations (reads filled in); otherwise the invocation's. */
  mops: Mop[];
  /** When it was invoked and completed (nanoseconds, or the event's position when the history has no times); ret is Infinity when unknown. */
  call: number;
  ret: number;
  /** The invocation's line in the file, when read from one. */
  line?: number;
}

export interface TxnHistory {
  txns: Txn[];
}

/** A key or value as a Map key: numbers and strings as they are, anything else as JSON. */
export function idOf(v: Value): string | number {
  return typeof v === "number" || typeof v === "string" ? v : JSON.stringify(v);
}

const F: Record<string, MopF> = { r: "r", read: "r", w: "w", write: "w", append: "append" };

function mops(value: Value, line: number | undefined, what: string): Mop[] {
  if (!Array.isArray(value)) throw new HistoryError(`${what} must be a list of micro-operations such as [["append", 1, 2], ["r", 1, null]], found ${show(value)}`, line);
  return value.map((m) => {
    if (!Array.isArray(m) || m.length !== 3 || typeof m[0] !== "string" || F[m[0]] === undefined) {
      throw new HistoryError(`${what} has ${show(m)}, which is not a micro-operation: write ["r", key, value], ["w", key, value] or ["append", key, value]`, line);
    }
    return { f: F[m[0]]!, key: m[1]!, k: idOf(m[1]!), value: m[2]! };
  });
}

/**
 * Pairs each client's invocation with its next completion. Fault events
 * (process "nemesis") are skipped; anything else that is not a txn is an error.
 */
export function readTxnHistory(events: readonly HistoryEvent[]): TxnHistory {
  const timed = events.every((e) => e.time !== undefined || e.process === "nemesis");
  const open = new Map<number | string, Txn>();
  const txns: Txn[] = [];
  events.forEach((e, i) => {
    if (e.process === "nemesis") return;
    if (e.f !== "txn") throw new HistoryError(`expected transactions (f "txn"), found f ${JSON.stringify(e.f)}`, e.line);
    const at = timed ? e.time! : i;
    const pending = open.get(e.process);
    if (e.type === "invoke") {
      if (pending) throw new HistoryError(`process ${String(e.process)} invoked a transaction while its transaction T${pending.id} (line ${pending.line ?? "?"}) had not completed`, e.line);
      const txn: Txn = { id: txns.length, process: e.process, status: "info", mops: mops(e.value, e.line, "the invocation"), call: at, ret: Infinity };
      if (e.line !== undefined) txn.line = e.line;
      txns.push(txn);
      open.set(e.process, txn);
      return;
    }
    if (!pending) throw new HistoryError(`process ${String(e.process)} completed a transaction (${e.type}) without invoking one`, e.line);
    open.delete(e.process);
    pending.status = e.type;
    if (e.type === "info") return; // indeterminate: keep what was asked
    pending.ret = at;
    if (e.type === "ok") {
      const done = mops(e.value, e.line, "the completion");
      if (done.length !== pending.mops.length) {
        throw new HistoryError(`the completion has ${done.length} micro-operations but its invocation (line ${pending.line ?? "?"}) had ${pending.mops.length}`, e.line);
      }
      pending.mops = done;
    }
  });
  return { txns };
}

/** "T3" */
export const tname = (t: Txn | number) => `T${typeof t === "number" ? t : t.id}`;

/** A list as it reads in sentences: long lists keep their ends. */
export function showList(list: readonly Value[]): string {
  if (list.length <= 8) return show(list as Value[]);
  return `[${list.slice(0, 2).map(show).join(", ")}, … ${list.length - 5} more …, ${list.slice(-3).map(show).join(", ")}]`;
}

/** "r(x) → [1, 2]", "append(x, 3)", "w(x, 2)". */
export function describeMop(m: Mop): string {
  if (m.f === "r") return `r(${show(m.key)}) → ${Array.isArray(m.value) ? showList(m.value) : show(m.value)}`;
  return `${m.f}(${show(m.key)}, ${show(m.value)})`;
}

/** "T3 (client 1, committed): r(x) → [1, 2], append(x, 3)". */
export function describeTxn(t: Txn): string {
  const status = t.status === "ok" ? "committed" : t.status === "fail" ? "aborted" : "indeterminate";
  const who = typeof t.process === "number" || /^\d+$/.test(t.process) ? `client ${t.process}` : String(t.process);
  return `${tname(t)} (${who}, ${status}${t.line !== undefined ? `, line ${t.line}` : ""}): ${t.mops.map(describeMop).join(", ")}`;
}
