import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nodesIn, renderLog } from "../../src/logs/render.js";
import type { LogEntry } from "../../src/logs/eventLog.js";

const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

describe("log rendering", () => {
  const entries: LogEntry[] = [
    { t: 1000, node: "n1", event: "START" },
    { t: 1124, node: "n1", msg: "Listening" },
    { t: 1100, node: "n2", event: "START" },
    { t: 1458, node: "**", event: "CLUSTER READY" },
  ];

  it("interleaves by time, relative to the first entry", () => {
    assert.deepEqual(renderLog(entries, []).map(strip), [
      "[n1]  +0.000s     [START]",
      "[n2]  +0.100s     [START]",
      "[n1]  +0.124s     Listening",
      "[**]  +0.458s     [CLUSTER READY]",
    ]);
  });

  it("filters by node but always keeps cluster events", () => {
    assert.deepEqual(renderLog(entries, ["n2"]).map(strip), ["[n2]  +0.000s     [START]", "[**]  +0.358s     [CLUSTER READY]"]);
  });

  it("lists the nodes of a run", () => {
    assert.deepEqual(nodesIn(entries), ["n1", "n2"]);
  });
});
