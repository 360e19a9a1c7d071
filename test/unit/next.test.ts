import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findChallenge, stageIndex } from "../../src/challenges/registry.js";
import { afterPass, type Challenge } from "../../src/challenges/types.js";

// What `clstr next` does once the current stage passes: the stage after it
// decides, and a stage that is only announced is never entered.
function at(challengeKey: string, stage: string) {
  const challenge = findChallenge(challengeKey)!;
  const index = stageIndex(challenge, stage);
  assert.ok(index >= 0, `${challengeKey} has no stage ${stage}`);
  return afterPass(challenge, index);
}

describe("clstr next after a pass", () => {
  it("advances to a runnable stage", () => {
    const after = at("kv-store", "http-api");
    assert.equal(after.kind, "advance");
    assert.equal(after.kind === "advance" && after.to.key, "persistence");
  });

  it("advances from the last kafka stage to the transactions, and finishes gossip-glomers after read committed", () => {
    const gg = at("gossip-glomers", "efficient-kafka");
    assert.equal(gg.kind === "advance" && gg.to.key, "single-node-transactions");
    assert.equal(at("gossip-glomers", "read-committed-transactions").kind, "finished");
  });

  it("says the track is finished after its last stage", () => {
    const challenge: Challenge = {
      key: "tiny",
      name: "Tiny",
      summary: "",
      family: "http",
      docsDir: "",
      stages: [
        { key: "one", name: "One", kind: "suite", load: () => Promise.reject(new Error("not run")) },
        { key: "two", name: "Two", kind: "planned" },
        { key: "three", name: "Three", kind: "suite", load: () => Promise.reject(new Error("not run")) },
      ],
    };
    assert.deepEqual(afterPass(challenge, 0), { kind: "coming-soon", next: challenge.stages[1] });
    assert.deepEqual(afterPass(challenge, 1), { kind: "advance", to: challenge.stages[2] });
    assert.deepEqual(afterPass(challenge, 2), { kind: "finished" });
  });
});
