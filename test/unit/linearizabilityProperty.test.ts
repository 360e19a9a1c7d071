// The linearizability checker against histories nobody wrote by hand:
// clients of a simulated linearizable object must always pass, and small
// histories with one thing spoiled must get the brute-force oracle's verdict.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkHistory, checkHistorySync } from "../../src/checkers/linearizability/check.js";
import type { History } from "../../src/checkers/linearizability/history.js";
import { modelNamed } from "../../src/checkers/linearizability/models.js";
import { bruteForceLinearizable } from "../support/bruteForce.js";
import { describeHistory, generateHistory, historyLiteral, perturb, staleRead, type GeneratedModel } from "../support/histories.js";

const pick = <T>(seed: number, choices: readonly T[]): T => choices[seed % choices.length]!;

describe("linearizability checker, property tests", () => {
  it("accepts every history of a simulated linearizable object (4 models, 2–6 clients, up to 200 operations, some of unknown outcome)", () => {
    const models: GeneratedModel[] = ["register", "cas-register", "kv", "kv-cas"];
    const rejected: string[] = [];
    for (let seed = 1; seed <= 400; seed++) {
      const options = {
        model: pick(seed, models),
        clients: 2 + (seed % 5),
        operations: 20 + ((seed * 37) % 181),
        keys: 1 + (seed % 4),
        seed,
        infoRate: pick(seed >> 2, [0, 0.05, 0.2]),
        overlap: pick(seed >> 3, [0.3, 1, 3]),
      };
      const history = generateHistory(options);
      const result = checkHistorySync(history, modelNamed(options.model), { timeoutMs: 10_000 });
      if (result.outcome !== "ok") rejected.push(`${JSON.stringify(options)}: ${result.outcome} ${result.parts.map((p) => p.reason ?? p.explanation?.join(" ") ?? "").join("; ")}`);
    }
    assert.deepEqual(rejected, []);
  });

  it("agrees with the brute-force oracle on thousands of small histories with one read or one operation's time spoiled (per key, and as one object)", () => {
    const models: GeneratedModel[] = ["register", "cas-register", "kv-cas", "kv"];
    const disagreements: string[] = [];
    const verdicts = { linearizable: 0, not: 0 };
    for (let seed = 1; seed <= 8000; seed++) {
      const name = pick(seed, models);
      const generated = generateHistory({ model: name, clients: 2 + (seed % 3), operations: 3 + (seed % 6), keys: 1 + ((seed >> 2) % 2), seed, infoRate: 0.2, overlap: pick(seed >> 3, [0.5, 1, 2]) });
      const history: History = seed % 5 === 0 ? generated : perturb(generated, seed * 7919);
      const model = modelNamed(name);
      const expected = bruteForceLinearizable(history, model);
      verdicts[expected ? "linearizable" : "not"]++;
      for (const partition of model.partition ? [true, false] : [true]) {
        const result = checkHistorySync(history, model, { timeoutMs: 10_000, partition });
        if ((result.outcome === "ok") !== expected || result.outcome === "unknown") {
          const how = partition ? "" : " (as one object)";
          disagreements.push(`seed ${seed}, ${name}: the oracle says ${expected ? "linearizable" : "not linearizable"}, the checker${how} ${result.outcome}\n${describeHistory(history)}\n${historyLiteral(history)}`);
        }
      }
      if (disagreements.length >= 3) break;
    }
    assert.deepEqual(disagreements, []);
    // The spoiled histories must be a real mix, or the test shows nothing.
    assert.ok(verdicts.linearizable > 2000 && verdicts.not > 2000, `expected both verdicts often, got ${JSON.stringify(verdicts)}`);
  });

  it("the oracle itself: every unspoiled small history is linearizable, and a read of a value never written is not", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const name = pick(seed, ["register", "cas-register", "kv-cas"] as const);
      const history = generateHistory({ model: name, clients: 3, operations: 8, keys: 1, seed, infoRate: 0.2 });
      assert.ok(bruteForceLinearizable(history, modelNamed(name)), `seed ${seed}, ${name}:\n${describeHistory(history)}`);
      const read = history.operations.find((op) => op.status === "ok" && (op.f === "read" || op.f === "get"));
      if (!read) continue;
      const spoiled = { ...history, operations: history.operations.map((op) => (op === read ? { ...op, output: 1234 } : op)) };
      assert.equal(bruteForceLinearizable(spoiled, modelNamed(name)), false, `seed ${seed}, ${name}:\n${describeHistory(spoiled)}`);
    }
  });

  it("on worker threads too: a 6,000-operation kv-cas history over 60 keys passes, and fails once one late read is made stale", async () => {
    const history = generateHistory({ model: "kv-cas", clients: 10, operations: 6_000, keys: 60, seed: 42, infoRate: 0.02, distinctValues: true });
    assert.equal((await checkHistory(history, "kv-cas", { workers: 2, timeoutMs: 20_000 })).outcome, "ok");
    const stale = await checkHistory(staleRead(history), "kv-cas", { workers: 2, timeoutMs: 20_000 });
    assert.equal(stale.outcome, "illegal");
    assert.equal(stale.parts.filter((p) => p.outcome === "illegal").length, 1);
  });
});
