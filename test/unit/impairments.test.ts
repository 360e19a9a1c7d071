import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Delay, describeImpairment, Duplicate, Loss, netemArgs, Reorder, settingsOf } from "../../src/faults/impairments.js";

describe("impairments", () => {
  it("are annotated in the public attest's words", () => {
    assert.equal(describeImpairment(Delay(2000)), "packet delay 2s");
    assert.equal(describeImpairment(Delay(50, 20)), "packet delay 0.05s ±0.02s");
    assert.equal(describeImpairment(Loss(20)), "packet loss 20%");
    assert.equal(describeImpairment(Duplicate(1.5)), "packet duplicate 1.5%");
    assert.equal(describeImpairment(Reorder(25)), "packet reorder 25%");
  });

  it("fold into one setting, a later impairment of a kind replacing an earlier one", () => {
    assert.deepEqual(settingsOf([Delay(100), Loss(5), Delay(300, 10), Reorder(25)]), {
      delayMs: 300,
      jitterMs: 10,
      lossPercent: 5,
      duplicatePercent: 0,
      reorderPercent: 25,
    });
    assert.deepEqual(settingsOf([]), { delayMs: 0, jitterMs: 0, lossPercent: 0, duplicatePercent: 0, reorderPercent: 0 });
  });

  it("become the same tc netem arguments as the public attest's", () => {
    assert.deepEqual(netemArgs(settingsOf([Delay(2000)])), ["delay", "2000ms"]);
    assert.deepEqual(netemArgs(settingsOf([Delay(100, 20)])), ["delay", "100ms", "20ms", "25%", "distribution", "normal"]);
    assert.deepEqual(netemArgs(settingsOf([Loss(20)])), ["loss", "20.00%", "25%"]);
    assert.deepEqual(netemArgs(settingsOf([Delay(10), Duplicate(5), Reorder(30)])), ["delay", "10ms", "duplicate", "5.00%", "reorder", "30.00%", "25%"]);
  });

  it("reject values that make no sense, saying which", () => {
    assert.throws(() => Loss(120), /loss must be between 0 and 100 percent, got 120/);
    assert.throws(() => Duplicate(-1), /duplicate must be between 0 and 100 percent/);
    assert.throws(() => Delay(-5), /delay and jitter must be non-negative/);
  });
});
