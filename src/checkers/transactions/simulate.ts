// Simulated databases that write transaction histories, for the tests and the
// benchmark: clients invoke random transactions concurrently against a store
// that runs them at a chosen isolation level, and every invocation and
// completion is recorded as the checker reads them.
// - serializable: each transaction runs whole, at one instant between its
//   invocation and its completion (so the history is strict-serializable);
// - read-committed: one micro-operation at a time, reads see committed state
//   (and the transaction's own writes), writes are installed at commit, and a
//   write takes the key's lock until then (a transaction that finds it taken
//   aborts: no waiting, no deadlock);
// - snapshot-isolation: reads see the snapshot taken at the first operation,
//   and a transaction aborts at commit if another committed a write to a key
//   it writes since its snapshot (first committer wins).

import type { HistoryEvent, Value } from "./history.js";
import type { Workload } from "./result.js";
import { seeded } from "../../util/random.js";

export type SimIsolation = "serializable" | "read-committed" | "snapshot-isolation";

export interface SimOptions {
  workload: Workload;
  isolation: SimIsolation;
  txns: number;
  clients?: number;
  keys?: number;
  maxTxnLength?: number;
  seed?: number;
  /** After this many writes a key is retired and a fresh one takes its place (Maelstrom's --max-writes-per-key); default: never. */
  maxWritesPerKey?: number;
  /** Fraction of transactions the store aborts on its own (serializable and read-committed). */
  abortRate?: number;
  /** Fraction whose client times out (info); the store applies half of them. */
  infoRate?: number;
}

type Mop = [string, number, Value];

interface Running {
  process: number;
  mops: Mop[];
  done: Mop[];
  pos: number;
  /** Buffered writes (read-committed, snapshot-isolation): key → value, or appended elements. */
  writes: Map<number, Value>;
  appends: Map<number, number[]>;
  snapshot?: Map<number, Value>;
  snapshotAt: number;
  executed: boolean;
  outcome?: "ok" | "fail" | "info";
}

export function simulate(o: SimOptions): HistoryEvent[] {
  const random = seeded(o.seed ?? 1);
  const clients = o.clients ?? 5;
  const keys = o.keys ?? 8;
  const maxLen = o.maxTxnLength ?? 4;
  const append = o.workload === "list-append";
  const store = new Map<number, Value>();
  const lastCommit = new Map<number, number>();
  const locks = new Map<number, Running>();
  const release = (r: Running) => {
    for (const k of [...r.writes.keys(), ...r.appends.keys()]) if (locks.get(k) === r) locks.delete(k);
  };
  const nextValue = new Map<number, number>();
  const active = Array.from({ length: keys }, (_, i) => i);
  let freshKey = keys;
  const events: HistoryEvent[] = [];
  const running: (Running | undefined)[] = new Array(clients).fill(undefined);
  const processOf = Array.from({ length: clients }, (_, i) => i);
  let started = 0;
  let time = 0;
  let commits = 0;

  const read = (k: number, r: Running): Value => {
    const base = o.isolation === "snapshot-isolation" ? (r.snapshot!.get(k) ?? null) : (store.get(k) ?? null);
    if (append) {
      const own = r.appends.get(k) ?? [];
      const list = [...((base as number[] | null) ?? []), ...own];
      return list;
    }
    return r.writes.has(k) ? r.writes.get(k)! : base;
  };
  const install = (r: Running) => {
    for (const [k, v] of r.writes) store.set(k, v), lastCommit.set(k, ++commits);
    for (const [k, vs] of r.appends) store.set(k, [...(((store.get(k) as number[] | null) ?? []) as number[]), ...vs]), lastCommit.set(k, ++commits);
  };
  const step = (r: Running, m: Mop): Mop => {
    const [f, k, v] = m;
    if (f === "r") return ["r", k, read(k, r)];
    if (f === "append") r.appends.set(k, [...(r.appends.get(k) ?? []), v as number]);
    else r.writes.set(k, v);
    return m;
  };

  const plan = (): Mop[] => {
    const n = 1 + Math.floor(random() * maxLen);
    const readKeys = new Set<number>();
    const mops: Mop[] = [];
    for (let i = 0; i < n; i++) {
      const slot = Math.floor(random() * keys);
      const k = active[slot]!;
      if (random() < 0.5) {
        if (readKeys.has(k)) continue; // one read per key: a second could differ under read committed
        readKeys.add(k);
        mops.push(["r", k, null]);
      } else {
        const v = (nextValue.get(k) ?? 0) + 1;
        nextValue.set(k, v);
        if (o.maxWritesPerKey !== undefined && v >= o.maxWritesPerKey) active[slot] = freshKey++;
        mops.push([append ? "append" : "w", k, v]);
      }
    }
    if (mops.length === 0) mops.push(["r", active[Math.floor(random() * keys)]!, null]);
    return mops;
  };

  while (started < o.txns || running.some((r) => r)) {
    const c = Math.floor(random() * clients);
    const r = running[c];
    time += 1 + Math.floor(random() * 3);
    if (!r) {
      if (started >= o.txns) continue;
      started++;
      const mops = plan();
      running[c] = { process: processOf[c]!, mops, done: [], pos: 0, writes: new Map(), appends: new Map(), snapshotAt: 0, executed: false };
      events.push({ process: processOf[c]!, type: "invoke", f: "txn", value: mops.map((m) => [...m]), time });
      continue;
    }
    if (!r.executed) {
      if (o.isolation === "serializable") {
        r.done = r.mops.map((m) => step(r, m));
        r.pos = r.mops.length;
      } else {
        if (r.pos === 0 && o.isolation === "snapshot-isolation") {
          r.snapshot = new Map([...store].map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]));
          r.snapshotAt = commits;
        }
        const next = r.mops[r.pos];
        const holder = next && next[0] !== "r" && o.isolation === "read-committed" ? locks.get(next[1]) : undefined;
        if (holder && holder !== r) {
          r.executed = true;
          r.outcome = "fail";
          release(r);
          continue;
        }
        if (next) {
          if (next[0] !== "r" && o.isolation === "read-committed") locks.set(next[1], r);
          r.done.push(step(r, next));
          r.pos++;
          continue;
        }
      }
      // Commit (or not).
      r.executed = true;
      const conflict = o.isolation === "snapshot-isolation" && [...r.writes.keys(), ...r.appends.keys()].some((k) => (lastCommit.get(k) ?? 0) > r.snapshotAt);
      const x = random();
      if (conflict || x < (o.abortRate ?? 0)) r.outcome = "fail";
      else if (x < (o.abortRate ?? 0) + (o.infoRate ?? 0)) {
        r.outcome = "info";
        if (random() < 0.5) install(r);
      } else {
        r.outcome = "ok";
        install(r);
      }
      release(r);
      if (o.isolation === "serializable") continue;
    }
    const value = r.outcome === "ok" ? r.done.map((m) => [...m]) : r.mops.map((m) => [...m]);
    events.push({ process: r.process, type: r.outcome!, f: "txn", value: value as Value, time });
    running[c] = undefined;
    if (r.outcome === "info") processOf[c]! += clients;
  }
  return events;
}
