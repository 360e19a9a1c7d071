// How fast the transaction checker (`clstr check txn`) decides histories as
// they grow: 1k to 200k transactions (up to 8 micro-operations each) of 10
// clients on 10 keys at a time (a key is retired after 16 writes, as with
// Maelstrom's --max-writes-per-key), against a simulated database, for both
// workloads: serializable (nothing to find) and read-committed (anomalies in every big history: the
// cycle search has work to do). Prints the time to check each (generation
// and parsing not counted) as wall time and as this process's CPU time (the
// steadier figure on a busy machine), micro-operations per CPU second, and the
// growth ratio: CPU time per transaction over the size before's (1.0 is linear).
// Usage: npm run build && node scripts/bench-txn.mjs [--quick] [--sizes 1000,10000]
import { checkTransactions } from "../dist/src/checkers/transactions/check.js";
import { readTxnHistory } from "../dist/src/checkers/transactions/history.js";
import { simulate } from "../dist/src/checkers/transactions/simulate.js";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const sizes = option("--sizes", args.includes("--quick") ? "1000,10000" : "1000,10000,50000,100000,200000").split(",").map(Number);

const rows = [["workload", "database", "txns", "mops", "verdict", "anomalies", "wall ms", "cpu ms", "mops/cpu s", "growth"]];
for (const workload of ["list-append", "rw-register"]) {
  for (const isolation of ["serializable", "read-committed"]) {
    let previous;
    for (const txns of sizes) {
      const events = simulate({ workload, isolation, txns, clients: 10, keys: 10, maxWritesPerKey: 16, maxTxnLength: 8, seed: txns, abortRate: 0.02, infoRate: 0.01 });
      const history = readTxnHistory(events);
      const mops = history.txns.reduce((n, t) => n + t.mops.length, 0);
      const started = performance.now();
      const cpu = process.cpuUsage();
      const r = checkTransactions(history, { workload });
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000;
      const perTxn = cpuMs / txns;
      const growth = previous ? (perTxn / previous).toFixed(2) : "-";
      previous = perTxn;
      const found = Object.entries(r.counts).map(([k, n]) => `${k}:${n}`).join(" ") || "none";
      rows.push([workload, isolation, String(txns), String(mops), r.outcome, found.length > 40 ? `${found.slice(0, 37)}...` : found, ms.toFixed(0), cpuMs.toFixed(0), Math.round(mops / (cpuMs / 1000)).toLocaleString("en"), growth]);
      console.error(`${workload} ${isolation} ${txns}: ${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms cpu`);
    }
  }
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i])).join("  "));
