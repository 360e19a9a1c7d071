// list-append: each key holds a list, transactions append unique elements and
// read whole lists. The longest read of a key reveals its version order (every
// other read must be a prefix of it); positions in that order give the
// dependencies: consecutive appends by different transactions are ww, the
// writer of a read's last element → the reader is wr, and the reader → the
// writer of the element after its read is rw.

import type { AnomalySink } from "./anomalies.js";
import { showList } from "./explain.js";
import { RW, WR, WW, type GraphBuilder } from "./graph.js";
import { describeMop, idOf, show, tname, type Txn, type Value } from "./history.js";

interface Append {
  txn: number;
  mop: number;
  /** Whether it is the transaction's last append to this key (an earlier one is intermediate). */
  final: boolean;
}

interface Read {
  txn: number;
  mop: number;
  list: Value[];
}

/** Above this many (reads × unobserved appends) of one key, their rw edges are left out (sound, less complete). */
const MAX_FANOUT = 10_000;

const asList = (v: Value): Value[] => (Array.isArray(v) ? v : []);

export function inferListAppend(txns: readonly Txn[], g: GraphBuilder, sink: AnomalySink): void {
  // Who appended each element of each key.
  const appends = new Map<string | number, Map<string | number, Append>>();
  const last = new Map<string | number, Append>();
  for (const t of txns) {
    last.clear();
    t.mops.forEach((m, i) => {
      if (m.f !== "append") return;
      let byElement = appends.get(m.k);
      if (!byElement) appends.set(m.k, (byElement = new Map()));
      const e = idOf(m.value);
      if (byElement.has(e)) return; // values are unique per key; a repeat is ignored
      const a: Append = { txn: t.id, mop: i, final: true };
      byElement.set(e, a);
      const before = last.get(m.k);
      if (before) before.final = false;
      last.set(m.k, a);
    });
  }

  // Reads of committed transactions, checked against the transaction's own earlier operations.
  const reads = new Map<string | number, Read[]>();
  const longest = new Map<string | number, Read>();
  const readThenAppend = new Map<string | number, Map<number, number[]>>();
  const state = new Map<string | number, { exact: boolean; list: Value[]; shared: boolean; readLength: number }>();
  for (const t of txns) {
    if (t.status !== "ok") continue;
    state.clear();
    t.mops.forEach((m, i) => {
      const s = state.get(m.k);
      if (m.f === "append") {
        if (s) {
          if (s.shared) (s.list = [...s.list]), (s.shared = false);
          s.list.push(m.value);
        } else state.set(m.k, { exact: false, list: [m.value], shared: false, readLength: -1 });
        if (s && s.exact && s.readLength >= 0) {
          // The first append after an external read: a candidate lost update.
          let byLength = readThenAppend.get(m.k);
          if (!byLength) readThenAppend.set(m.k, (byLength = new Map()));
          const group = byLength.get(s.readLength) ?? [];
          if (group.at(-1) !== t.id) group.push(t.id);
          byLength.set(s.readLength, group);
        }
        return;
      }
      if (m.f !== "r") return;
      const list = asList(m.value);
      if (s && !consistent(s, list)) {
        const expected = s.exact ? `${showList(s.list)}` : `a list ending ${showList(s.list)}`;
        sink.add("internal", [t.id], () => [
          `${tname(t)} is internally inconsistent: after its own earlier operations it should have read ${show(m.key)}=${expected}, but it read ${showList(list)} (${describeMop(m)}).`,
        ]);
      }
      state.set(m.k, { exact: true, list, shared: true, readLength: s ? (s.readLength >= 0 ? s.readLength : -1) : list.length });
      const r: Read = { txn: t.id, mop: i, list };
      let rs = reads.get(m.k);
      if (!rs) reads.set(m.k, (rs = []));
      rs.push(r);
      const best = longest.get(m.k);
      if (!best || list.length > best.list.length) longest.set(m.k, r);
    });
  }

  const duplicates = (r: Read) => {
    const seen = new Set<string | number>();
    for (const x of r.list) {
      const id = idOf(x);
      if (seen.has(id)) {
        const t = txns[r.txn]!;
        sink.add("duplicate-elements", [t.id], () => [`${tname(t)} read ${show(t.mops[r.mop]!.key)}=${showList(r.list)}, in which ${show(x)} appears more than once: each element is appended once.`]);
        return;
      }
      seen.add(id);
    }
  };
  for (const [k, rs] of reads) {
    const order = longest.get(k)!;
    // Every other compatible read is a prefix of the longest: duplicates in it are the only ones to find (incompatible reads are checked on their own).
    duplicates(order);
    const version = order.list.map(idOf);
    const byElement = appends.get(k) ?? new Map<string | number, Append>();
    const writerAt = version.map((e) => byElement.get(e));
    let incompatible = 0;
    for (const r of rs) {
      // Every read must be a prefix of the longest.
      let prefix = r.list.length <= version.length;
      for (let i = 0; prefix && i < r.list.length; i++) if (idOf(r.list[i]!) !== version[i]) prefix = false;
      if (!prefix) {
        duplicates(r);
        if (incompatible++ === 0) {
          const key = show(txns[r.txn]!.mops[r.mop]!.key);
          sink.add("incompatible-order", [r.txn, order.txn], () => [
            `${tname(r.txn)} read ${key}=${showList(r.list)} and ${tname(order.txn)} read ${key}=${showList(order.list)}: the first is not a prefix of the second, so the two reads disagree on the order of ${key}'s elements.`,
          ]);
        }
        continue;
      }
      // Aborted reads (G1a) and intermediate reads (G1b).
      for (let i = 0; i < r.list.length; i++) {
        const w = writerAt[i];
        if (w && txns[w.txn]!.status === "fail") {
          const key = show(txns[r.txn]!.mops[r.mop]!.key);
          sink.add("G1a", [r.txn, w.txn], () => [
            `Aborted read (G1a): ${tname(r.txn)} read ${key}=${showList(r.list)}, which contains ${show(r.list[i]!)}, appended by ${tname(w.txn)}, a transaction that aborted: its writes must never be seen.`,
          ]);
        }
      }
      const n = r.list.length;
      const lastWriter = n > 0 ? writerAt[n - 1] : undefined;
      if (lastWriter && !lastWriter.final && lastWriter.txn !== r.txn && txns[lastWriter.txn]!.status !== "fail") {
        const key = show(txns[r.txn]!.mops[r.mop]!.key);
        sink.add("G1b", [r.txn, lastWriter.txn], () => [
          `Intermediate read (G1b): ${tname(r.txn)} read ${key}=${showList(r.list)}, ending with ${show(r.list[n - 1]!)}, but ${tname(lastWriter.txn)} appended more to ${key} after ${show(r.list[n - 1]!)}: ${tname(r.txn)} saw a state of ${tname(lastWriter.txn)} that was never final.`,
        ]);
      }
      // wr: the writer of the last element → the reader.
      if (lastWriter && txns[lastWriter.txn]!.status !== "fail") g.add(lastWriter.txn, r.txn, WR, lastWriter.mop, r.mop);
      // rw: the reader → the writer of the next element.
      const next = writerAt[n];
      if (next && txns[next.txn]!.status !== "fail") g.add(r.txn, next.txn, RW, r.mop, next.mop);
    }
    // Committed appends no read observed come after every observed element (a read
    // observing a later one would include them): the last observed element's writer
    // → each of them (ww, a path through the order), and each read of the whole
    // observed order → each of them (rw).
    const observed = new Set(version);
    const unobserved: Append[] = [];
    for (const [e, a] of byElement) if (!observed.has(e) && txns[a.txn]!.status === "ok" && a.final) unobserved.push(a);
    if (unobserved.length > 0) {
      const last = writerAt[writerAt.length - 1];
      if (last && txns[last.txn]!.status !== "fail") for (const u of unobserved) g.add(last.txn, u.txn, WW, last.mop, u.mop);
      const whole = rs.filter((r) => r.list.length === version.length);
      if (whole.length * unobserved.length <= MAX_FANOUT) for (const r of whole) for (const u of unobserved) g.add(r.txn, u.txn, RW, r.mop, u.mop);
    }
    // ww: consecutive elements appended by different transactions.
    for (let i = 1; i < writerAt.length; i++) {
      const a = writerAt[i - 1];
      const b = writerAt[i];
      if (a && b && a.txn !== b.txn && txns[a.txn]!.status !== "fail" && txns[b.txn]!.status !== "fail") g.add(a.txn, b.txn, WW, a.mop, b.mop);
    }
  }

  // Lost updates: two committed transactions read the same version of a key and both appended to it.
  for (const [k, byLength] of readThenAppend) {
    for (const [length, group] of byLength) {
      if (group.length < 2) continue;
      const key = show(txns[group[0]!]!.mops.find((m) => m.k === k)!.key);
      const version = longest.get(k)?.list.slice(0, length) ?? [];
      sink.add("lost-update", group, () => [
        `Lost update: ${group.map(tname).join(" and ")} each read ${key}=${showList(version)} and then appended to it, and all committed: whichever went second should have seen the other's append.`,
      ]);
    }
  }
}

function consistent(s: { exact: boolean; list: Value[] }, read: Value[]): boolean {
  if (s.exact && read.length !== s.list.length) return false;
  if (read.length < s.list.length) return false;
  const offset = read.length - s.list.length;
  for (let i = 0; i < s.list.length; i++) if (idOf(read[offset + i]!) !== idOf(s.list[i]!)) return false;
  return true;
}
