import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveOptions } from "../../src/attest/options.js";

describe("suite options", () => {
  it("name the members n1..nN and the spares after them", () => {
    const config = resolveOptions({ cluster: 5, spares: 3 });
    assert.deepEqual(config.nodes, ["n1", "n2", "n3", "n4", "n5"]);
    assert.deepEqual(config.spares, ["n6", "n7", "n8"]);
  });

  it("have no spares by default", () => {
    assert.deepEqual(resolveOptions({ cluster: 3 }).spares, []);
    assert.deepEqual(resolveOptions({ cluster: 3, spares: 0 }).spares, []);
  });

  it("refuse a negative or fractional number of spares", () => {
    assert.throws(() => resolveOptions({ cluster: 3, spares: -1 }), /spares must be a whole number/);
    assert.throws(() => resolveOptions({ cluster: 3, spares: 1.5 }), /spares must be a whole number/);
  });
});
