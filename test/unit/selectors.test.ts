import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeOutcome, Node, resolveSelector, selectorPassed } from "../../src/attest/selectors.js";

describe("node selectors", () => {
  const running = ["n1", "n2", "n3"];

  it("resolve to the nodes they target", () => {
    assert.deepEqual(resolveSelector(Node("n2"), running), ["n2"]);
    assert.deepEqual(resolveSelector({ kind: "all", names: [] }, running), running);
    assert.deepEqual(resolveSelector({ kind: "all", names: ["n1"] }, running), ["n1"]);
    assert.deepEqual(resolveSelector({ kind: "except", names: ["n2"] }, running), ["n1", "n3"]);
  });

  it("decide from how many nodes passed", () => {
    assert.equal(selectorPassed({ kind: "exactlyOne", names: [] }, 1, 3), true);
    assert.equal(selectorPassed({ kind: "exactlyOne", names: [] }, 2, 3), false);
    assert.equal(selectorPassed({ kind: "atLeastOne", names: [] }, 1, 3), true);
    assert.equal(selectorPassed({ kind: "atLeastOne", names: [] }, 0, 3), false);
    assert.equal(selectorPassed({ kind: "all", names: [] }, 2, 3), false);
    assert.equal(describeOutcome({ kind: "all", names: [] }, 2, 3), "2 of 3 nodes passed (expected all 3)");
  });
});
