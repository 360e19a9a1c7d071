// Histories from simulated databases: a serializable one must pass every
// model (never a false alarm); read-committed and snapshot-isolation ones must
// show only the anomalies their level allows, and show them on some seeds.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkTransactions } from "../../src/checkers/transactions/check.js";
import { readTxnHistory } from "../../src/checkers/transactions/history.js";
import type { Workload } from "../../src/checkers/transactions/result.js";
import { simulate, type SimIsolation } from "../../src/checkers/transactions/simulate.js";

const SEEDS = Number(process.env.TXN_SEEDS ?? 300);
const WORKLOADS: Workload[] = ["list-append", "rw-register"];

function run(workload: Workload, isolation: SimIsolation, seed: number) {
  const events = simulate({ workload, isolation, seed, txns: 40, clients: 4, keys: 4, maxTxnLength: 4, abortRate: 0.05, infoRate: 0.05 });
  return checkTransactions(readTxnHistory(events), { workload });
}

describe("txn checker on simulated databases", () => {
  for (const workload of WORKLOADS) {
    it(`${workload}: a serializable database passes every model, strict included (${SEEDS} seeds)`, () => {
      for (let seed = 1; seed <= SEEDS; seed++) {
        const r = run(workload, "serializable", seed);
        assert.deepEqual(r.counts, {}, `seed ${seed}: ${r.anomalies.map((a) => a.explanation.join("\n")).join("\n\n")}`);
        assert.equal(r.outcome, "ok");
      }
    });

    it(`${workload}: a read-committed database never shows G0, G1 or internal anomalies, and some seeds are not serializable`, () => {
      let caught = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const r = run(workload, "read-committed", seed);
        assert.ok(!r.ruledOut.includes("read-committed"), `seed ${seed}: ${JSON.stringify(r.counts)}\n${r.anomalies.map((a) => a.explanation.join("\n")).join("\n\n")}`);
        if (r.ruledOut.includes("serializable")) caught++;
      }
      assert.ok(caught > 0, `only ${caught} of ${SEEDS} read-committed histories were caught`);
    });

    it(`${workload}: a snapshot-isolation database never shows G-single or lost updates, and shows write skew`, () => {
      let skew = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const r = run(workload, "snapshot-isolation", seed);
        assert.ok(!r.ruledOut.includes("snapshot-isolation"), `seed ${seed}: ${JSON.stringify(r.counts)}\n${r.anomalies.map((a) => a.explanation.join("\n")).join("\n\n")}`);
        if (r.counts["G2-item"]) skew++;
      }
      assert.ok(skew > 0, "no write skew in any snapshot-isolation history");
    });
  }
});
