// rw-register: each key holds one value, and written values are unique per
// key, so a read names the one transaction that wrote what it saw (wr). The
// version order is not visible in reads; what can soundly be inferred: a
// transaction that read x=v1 and then wrote x=v2 installed v2 after v1, so
// v1's writer → it (ww) and every reader of v1 → it (rw). nil, the initial
// state, comes before every written version.

import type { AnomalySink } from "./anomalies.js";
import { RW, WR, WW, type GraphBuilder } from "./graph.js";
import { idOf, show, tname, type Txn, type Value } from "./history.js";

interface Write {
  txn: number;
  mop: number;
  final: boolean;
}

/** Above this many (readers × overwriters) of one version, only the first overwriter's rw edges are drawn (the others are a lost update already). */
const MAX_FANOUT = 10_000;
const NIL = "\u0000nil";

export function inferRwRegister(txns: readonly Txn[], g: GraphBuilder, sink: AnomalySink): void {
  const writes = new Map<string | number, Map<string | number, Write>>();
  const last = new Map<string | number, Write>();
  for (const t of txns) {
    last.clear();
    t.mops.forEach((m, i) => {
      if (m.f !== "w") return;
      let byValue = writes.get(m.k);
      if (!byValue) writes.set(m.k, (byValue = new Map()));
      const v = idOf(m.value);
      if (byValue.has(v)) return; // values are unique per key; a repeat is ignored
      const w: Write = { txn: t.id, mop: i, final: true };
      byValue.set(v, w);
      const before = last.get(m.k);
      if (before) before.final = false;
      last.set(m.k, w);
    });
  }

  // Per key and version read: who read it (external reads), and who read it and then wrote over it.
  const readers = new Map<string | number, Map<string | number, { txn: number; mop: number }[]>>();
  const overwriters = new Map<string | number, Map<string | number, { txn: number; mop: number }[]>>();
  const group = (m: typeof readers, k: string | number, v: string | number) => {
    let byValue = m.get(k);
    if (!byValue) m.set(k, (byValue = new Map()));
    let list = byValue.get(v);
    if (!list) byValue.set(v, (list = []));
    return list;
  };

  const known = new Map<string | number, { value: string | number; raw: Value; read: string | number | undefined; wrote: boolean }>();
  const lastWrite = new Map<string | number, number>();
  for (const t of txns) {
    if (t.status !== "ok") continue;
    known.clear();
    lastWrite.clear();
    t.mops.forEach((m, i) => {
      if (m.f === "w") lastWrite.set(m.k, i);
    });
    t.mops.forEach((m, i) => {
      const s = known.get(m.k);
      const v = m.value === null ? NIL : idOf(m.value);
      if (m.f === "w") {
        if (s) {
          if (s.read !== undefined && !s.wrote && lastWrite.get(m.k) !== undefined) group(overwriters, m.k, s.read).push({ txn: t.id, mop: lastWrite.get(m.k)! });
          s.value = v;
          s.raw = m.value;
          s.wrote = true;
        } else known.set(m.k, { value: v, raw: m.value, read: undefined, wrote: true });
        return;
      }
      if (m.f !== "r") return;
      if (s) {
        if (s.value !== v) {
          sink.add("internal", [t.id], () => [
            `${tname(t)} is internally inconsistent: after its own earlier ${s.wrote ? "write" : "read"} it should have read ${show(m.key)}=${show(s.raw)}, but it read ${show(m.value)}.`,
          ]);
        }
        s.value = v;
        s.raw = m.value;
        return;
      }
      // An external read: the first operation of this transaction on the key.
      known.set(m.k, { value: v, raw: m.value, read: v, wrote: false });
      group(readers, m.k, v).push({ txn: t.id, mop: i });
      if (v === NIL) return;
      const w = writes.get(m.k)?.get(v);
      if (!w || w.txn === t.id) return;
      const writer = txns[w.txn]!;
      if (writer.status === "fail") {
        sink.add("G1a", [t.id, w.txn], () => [
          `Aborted read (G1a): ${tname(t)} read ${show(m.key)}=${show(m.value)}, written by ${tname(w.txn)}, a transaction that aborted: its writes must never be seen.`,
        ]);
        return;
      }
      if (!w.final) {
        sink.add("G1b", [t.id, w.txn], () => [
          `Intermediate read (G1b): ${tname(t)} read ${show(m.key)}=${show(m.value)}, but ${tname(w.txn)} wrote ${show(m.key)} again after writing ${show(m.value)}: ${tname(t)} saw a value that was never final.`,
        ]);
      }
      g.add(w.txn, t.id, WR, w.mop, i);
    });
  }

  for (const [k, byValue] of overwriters) {
    for (const [v, over] of byValue) {
      const w = v === NIL ? undefined : writes.get(k)?.get(v);
      if (w && txns[w.txn]!.status !== "fail") for (const o of over) g.add(w.txn, o.txn, WW, w.mop, o.mop);
      const rs = readers.get(k)?.get(v) ?? [];
      const drawn = rs.length * over.length > MAX_FANOUT ? over.slice(0, 1) : over;
      for (const o of drawn) for (const r of rs) g.add(r.txn, o.txn, RW, r.mop, o.mop);
      if (over.length >= 2) {
        const t0 = txns[over[0]!.txn]!;
        const key = show(t0.mops[over[0]!.mop]!.key);
        const ids = over.map((o) => o.txn);
        sink.add("lost-update", ids, () => [
          `Lost update: ${ids.map(tname).join(" and ")} each read ${key}=${v === NIL ? "nil" : show(txns[rs[0]?.txn ?? ids[0]!]!.mops.find((m) => m.k === k && m.f === "r")?.value ?? null)} and then wrote ${key}, and all committed: whichever went second should have seen the other's write.`,
        ]);
      }
    }
  }
}
