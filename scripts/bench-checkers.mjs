// How fast the linearizability checker decides lin-kv histories: synthetic
// histories that are linearizable by construction (each operation takes
// effect at a random instant inside its call..return window), checked per
// key as the lin-kv workload does. Usage: node scripts/bench-checkers.mjs
import { checkLinKv } from "../dist/src/maelstrom/workloads/linKv.js";
import { seeded } from "../dist/src/maelstrom/engine.js";

/** `keys` keys, `perKey` operations each, by `clients` clients whose operations overlap. */
function history(random, keys, perKey, clients) {
  const ops = [];
  for (let key = 0; key < keys; key++) {
    const free = new Array(clients).fill(0); // when each client may call again
    const mine = [];
    for (let i = 0; i < perKey; i++) {
      const c = Math.floor(random() * clients);
      const call = free[c] + random() * 5;
      const ret = call + 1 + random() * 20;
      free[c] = ret;
      const r = random();
      const v = () => Math.floor(random() * 5);
      const request = r < 1 / 3 ? { type: "read", key } : r < 2 / 3 ? { type: "write", key, value: v() } : { type: "cas", key, from: v(), to: v() };
      mine.push({ op: { client: `c${c + 1}`, node: "n0", f: request.type, request, invokedAt: call, completedAt: ret }, at: call + random() * (ret - call) });
    }
    let value = null;
    for (const { op } of mine.sort((a, b) => a.at - b.at)) {
      const q = op.request;
      if (q.type === "read") Object.assign(op, value === null ? { outcome: "fail", reply: { type: "error", code: 20 } } : { outcome: "ok", reply: { type: "read_ok", value } });
      else if (q.type === "write") Object.assign(op, { outcome: "ok", reply: { type: "write_ok" } }, (value = q.value, {}));
      else if (value === q.from) Object.assign(op, { outcome: "ok", reply: { type: "cas_ok" } }, (value = q.to, {}));
      else Object.assign(op, { outcome: "fail", reply: { type: "error", code: value === null ? 20 : 22 } });
      ops.push(op);
    }
  }
  return ops.sort((a, b) => a.invokedAt - b.invokedAt);
}

const random = seeded(1);
for (const [keys, perKey, clients] of [[100, 60, 4], [1000, 60, 4], [10, 200, 10], [1, 1000, 20]]) {
  const h = history(random, keys, perKey, clients);
  const t0 = performance.now();
  const r = checkLinKv(h);
  const ms = performance.now() - t0;
  console.log(`${String(keys).padStart(5)} keys × ${String(perKey).padStart(4)} ops, ${String(clients).padStart(2)} clients per key: ${String(h.length).padStart(6)} ops checked in ${ms.toFixed(0).padStart(5)} ms = ${Math.round(h.length / (ms / 1000)).toString().padStart(7)} ops/s; valid ${r.valid}`);
}

// Rejecting is the slow direction: the search must exhaust every order. Corrupt one read in each of 10 keys.
{
  const h = history(random, 100, 60, 4);
  let corrupted = 0;
  const seenKeys = new Set();
  for (const op of h) {
    if (op.f === "read" && op.outcome === "ok" && op.request.key % 10 === 0 && !seenKeys.has(op.request.key)) {
      seenKeys.add(op.request.key);
      op.reply = { ...op.reply, value: op.reply.value + 10 };
      corrupted++;
    }
  }
  const t0 = performance.now();
  const r = checkLinKv(h);
  const ms = performance.now() - t0;
  console.log(`  100 keys ×   60 ops, one read corrupted in ${corrupted} keys: ${h.length} ops checked in ${ms.toFixed(0)} ms; valid ${r.valid}, non-linearizable keys found: ${r["non-linearizable-keys"].length}`);
}
