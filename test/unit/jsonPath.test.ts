import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { asText, lookup, prettyBody } from "../../src/attest/jsonPath.js";

describe("jsonPath", () => {
  const doc = { id: "n1", leader: null, term: 3, peers: ["n2", "n3"], entries: [{ term: 1 }, { term: 2 }] };

  it("finds fields, array elements and nested fields", () => {
    assert.deepEqual(lookup(doc, "id"), { found: true, value: "n1" });
    assert.deepEqual(lookup(doc, "entries.1.term"), { found: true, value: 2 });
    assert.deepEqual(lookup(doc, "peers.0"), { found: true, value: "n2" });
    assert.deepEqual(lookup(doc, "leader"), { found: true, value: null });
  });

  it("reads keys that contain dots when the dots are escaped", () => {
    assert.deepEqual(lookup({ "10.0.42.1:8080": "ok" }, "10\\.0\\.42\\.1:8080"), { found: true, value: "ok" });
  });

  it("reports absent fields", () => {
    assert.deepEqual(lookup(doc, "missing"), { found: false });
    assert.deepEqual(lookup(doc, "entries.5.term"), { found: false });
    assert.deepEqual(lookup(doc, "id.length"), { found: false });
  });

  it("turns values into the text matchers compare", () => {
    assert.equal(asText(3), "3");
    assert.equal(asText(true), "true");
    assert.equal(asText("x"), "x");
    assert.equal(asText(["a"]), '["a"]');
  });

  it("pretty-prints JSON bodies only", () => {
    assert.equal(prettyBody('{"a":1}', "  "), '{\n    "a": 1\n  }');
    assert.equal(prettyBody("key not found", "  "), "key not found");
    assert.equal(prettyBody("42", "  "), "42");
  });
});
