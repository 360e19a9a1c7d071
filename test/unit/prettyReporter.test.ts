import assert from "node:assert/strict";
import { describe, it } from "node:test";
import pc from "picocolors";
import { colorFailure } from "../../src/reports/prettyReporter.js";

const colors = pc.createColors(true);
const ANSI = /\u001b\[[0-9;]*m/g;

const wrongAnswer = [
  "GET http://n1:8080/kv/nonexistent:key → 404",
  "  Expected response: matching pattern /^key not found\\n?$/",
  "  Actual response: not found",
].join("\n");

const noAnswer = ["PUT /kv/a \"1\" - 2 of 3 nodes passed", "  PUT http://n3:8080/kv/a", "    connection refused", "  Actual response: (empty)"].join("\n");

describe("the pretty reporter's colours", () => {
  it("adds colour and nothing else: the plain failure text comes back without it", () => {
    for (const text of [wrongAnswer, noAnswer]) {
      const coloured = colorFailure(text, colors);
      assert.notEqual(coloured, text);
      assert.equal(coloured.replace(ANSI, ""), text);
    }
  });

  it("makes the node bold, a failing status and what was expected red, a transport error red, an empty body dim", () => {
    const [request, expected, actual] = colorFailure(wrongAnswer, colors).split("\n");
    assert.equal(request, `GET http://${colors.bold("n1")}:8080/kv/nonexistent:key → ${colors.red("404")}`);
    assert.equal(expected, colors.red("  Expected response: matching pattern /^key not found\\n?$/"));
    assert.equal(actual, "  Actual response: not found");
    const lines = colorFailure(noAnswer, colors).split("\n");
    assert.equal(lines[2], colors.red("    connection refused"));
    assert.equal(lines[3], `  Actual response: ${colors.dim("(empty)")}`);
    assert.match(colorFailure("GET http://n2:8080/health → 200", colors), new RegExp(colors.green("200").replace(/\[/g, "\\[")));
  });
});
