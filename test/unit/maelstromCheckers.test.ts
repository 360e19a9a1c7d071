import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Operation } from "../../src/maelstrom/history.js";
import type { Body } from "../../src/maelstrom/protocol.js";
import { parseLine } from "../../src/maelstrom/protocol.js";
import { createServices, SERVICE_NAMES } from "../../src/maelstrom/services.js";
import { checkBroadcast } from "../../src/maelstrom/workloads/broadcast.js";
import { acceptableSums, checkCounter } from "../../src/maelstrom/workloads/counter.js";
import { checkGrowingSet } from "../../src/maelstrom/workloads/growingSet.js";
import { checkKafka } from "../../src/maelstrom/workloads/kafka.js";
import { topology } from "../../src/maelstrom/workloads/topology.js";
import { uniqueIdsWorkload } from "../../src/maelstrom/workloads/uniqueIds.js";

let clock = 0;
function op(node: string, request: Body, outcome: Operation["outcome"], reply?: Body, extra: Partial<Operation> = {}): Operation {
  clock += 10;
  return { client: "c1", node, f: request.type, request, invokedAt: clock, completedAt: clock + 5, outcome, ...(reply ? { reply } : {}), ...extra };
}
const final = { final: true };

describe("broadcast checker", () => {
  const nodes = ["n0", "n1"];
  it("accepts a history where every acknowledged value reached every node", () => {
    const h = [
      op("n0", { type: "broadcast", message: 1 }, "ok", { type: "broadcast_ok" }),
      op("n1", { type: "broadcast", message: 2 }, "info"), // unknown outcome: may or may not show up
      op("n0", { type: "read" }, "ok", { type: "read_ok", messages: [1] }, final),
      op("n1", { type: "read" }, "ok", { type: "read_ok", messages: [2, 1] }, final),
    ];
    const r = checkBroadcast(h, nodes);
    assert.equal(r.valid, true, r.problems.join("\n"));
  });
  it("rejects a lost acknowledged value, naming where it is missing", () => {
    const h = [
      op("n0", { type: "broadcast", message: 7 }, "ok", { type: "broadcast_ok" }),
      op("n0", { type: "read" }, "ok", { type: "read_ok", messages: [7] }, final),
      op("n1", { type: "read" }, "ok", { type: "read_ok", messages: [] }, final),
    ];
    const r = checkBroadcast(h, nodes);
    assert.equal(r.valid, false);
    assert.match(r.problems[0]!, /1 acknowledged broadcast value\(s\) are missing from final reads: 7 \(missing on n1\)/);
  });
  it("rejects values nobody broadcast, and measures stable latency", () => {
    const h = [
      op("n0", { type: "broadcast", message: 1 }, "ok", { type: "broadcast_ok" }),
      op("n1", { type: "read" }, "ok", { type: "read_ok", messages: [] }),
      op("n1", { type: "read" }, "ok", { type: "read_ok", messages: [1, 99] }, final),
      op("n0", { type: "read" }, "ok", { type: "read_ok", messages: [1] }, final),
    ];
    const r = checkBroadcast(h, nodes);
    assert.equal(r.valid, false);
    assert.match(r.problems.join("\n"), /reads returned 1 broadcast value\(s\) nobody added, e\.g\. 99/);
    assert.equal((r["stable-latencies"] as { max: number }).max, 10);
  });
});

describe("g-counter checker", () => {
  it("accepts final reads between acknowledged and possible sums, rejects others", () => {
    const adds = [op("n0", { type: "add", delta: 3 }, "ok", { type: "add_ok" }), op("n1", { type: "add", delta: 4 }, "info")];
    const good = checkCounter([...adds, op("n0", { type: "read" }, "ok", { type: "read_ok", value: 3 }, final), op("n1", { type: "read" }, "ok", { type: "read_ok", value: 7 }, final)], ["n0", "n1"]);
    assert.equal(good.valid, true, good.problems.join("\n"));
    const bad = checkCounter([...adds, op("n0", { type: "read" }, "ok", { type: "read_ok", value: 2 }, final), op("n1", { type: "read" }, "ok", { type: "read_ok", value: 3 }, final)], ["n0", "n1"]);
    assert.equal(bad.valid, false);
    assert.match(bad.problems[0]!, /n0.s final read is 2, but acknowledged adds sum to 3 \(with the 1 add\(s\) whose outcome is unknown, the read must be one of 3, 7\)/);
  });
});

describe("pn-counter checker", () => {
  it("accepts only the acknowledged sum plus a subset of the unknown adds, not anything in between", () => {
    const sums = acceptableSums(10, [4, -2]);
    for (const n of [10, 14, 8, 12]) assert.ok(sums.has(n), `${n} is reachable`);
    for (const n of [9, 11, 13, 7, 15]) assert.ok(!sums.has(n), `${n} is not reachable`);
    assert.equal(sums.describe(), "one of 8, 10, 12, 14");
    const adds = [op("n0", { type: "add", delta: -3 }, "ok", { type: "add_ok" }), op("n1", { type: "add", delta: 5 }, "info")];
    const bad = checkCounter([...adds, op("n0", { type: "read" }, "ok", { type: "read_ok", value: 3 }, final)], ["n0"]);
    assert.equal(bad.valid, false);
    assert.match(bad.problems[0]!, /n0's final read is 3, but acknowledged adds sum to -3 \(with the 1 add\(s\) whose outcome is unknown, the read must be one of -3, 2\)/);
    assert.equal(checkCounter([...adds, op("n0", { type: "read" }, "ok", { type: "read_ok", value: 2 }, final)], ["n0"]).valid, true);
  });
});

describe("g-set checker", () => {
  const shape = { add: "add", element: "element", elements: "value", noun: "element" };
  it("accepts final reads holding every acknowledged element and rejects lost or invented ones", () => {
    const adds = [op("n0", { type: "add", element: 1 }, "ok", { type: "add_ok" }), op("n1", { type: "add", element: 2 }, "ok", { type: "add_ok" })];
    const good = checkGrowingSet([...adds, op("n0", { type: "read" }, "ok", { type: "read_ok", value: [1, 2] }, final), op("n1", { type: "read" }, "ok", { type: "read_ok", value: [2, 1] }, final)], ["n0", "n1"], shape);
    assert.equal(good.valid, true, good.problems.join("\n"));
    const bad = checkGrowingSet([...adds, op("n0", { type: "read" }, "ok", { type: "read_ok", value: [1, 5] }, final), op("n1", { type: "read" }, "ok", { type: "read_ok", value: [1, 2] }, final)], ["n0", "n1"], shape);
    assert.equal(bad.valid, false);
    assert.match(bad.problems[0]!, /1 acknowledged element\(s\) are missing from final reads: 2 \(missing on n0\)/);
    assert.match(bad.problems.join("\n"), /reads returned 1 element\(s\) nobody added, e\.g\. 5/);
  });
});

describe("kafka checker", () => {
  const send = (key: string, msg: number, offset: number) => op("n0", { type: "send", key, msg }, "ok", { type: "send_ok", offset });
  const poll = (key: string, from: number, entries: [number, number][]) =>
    op("n1", { type: "poll", offsets: { [key]: from } }, "ok", { type: "poll_ok", msgs: { [key]: entries } });
  it("accepts a log read back in order", () => {
    const r = checkKafka([send("k", 10, 0), send("k", 11, 1), poll("k", 0, [[0, 10], [1, 11]]), poll("k", 2, [])]);
    assert.equal(r.valid, true, r.problems.join("\n"));
  });
  it("rejects duplicate offsets", () => {
    const r = checkKafka([send("k", 10, 0), send("k", 11, 0), poll("k", 0, [[0, 10]])]);
    assert.equal(r.valid, false);
    assert.match(r.problems.join("\n"), /1 duplicate offset\(s\), e\.g\. k offset 0 was given to both message 10 and message 11/);
  });
  it("rejects lost writes, skips and nonmonotonic polls", () => {
    const lost = checkKafka([send("k", 10, 0), send("k", 11, 1), send("k", 12, 2), poll("k", 0, [[0, 10], [2, 12]])]);
    assert.equal(lost.valid, false);
    assert.match(lost.problems.join("\n"), /lost write\(s\), e\.g\. message 11 sent to k was acknowledged at offset 1/);
    assert.match(lost.problems.join("\n"), /poll skip\(s\)/);
    const backwards = checkKafka([send("k", 10, 0), send("k", 11, 1), poll("k", 1, [[0, 10], [1, 11]]), poll("k", 0, [[1, 11], [0, 10]])]);
    assert.equal(backwards.valid, false);
    assert.match(backwards.problems.join("\n"), /internal nonmonotonic/);
    assert.match(backwards.problems.join("\n"), /external nonmonotonic/);
  });
});

describe("unique-ids checker", () => {
  it("rejects an id handed out twice and accepts distinct ones", () => {
    const w = uniqueIdsWorkload();
    assert.equal(w.check([op("n0", { type: "generate" }, "ok", { type: "generate_ok", id: "a" }), op("n1", { type: "generate" }, "ok", { type: "generate_ok", id: "b" })]).valid, true);
    const bad = w.check([op("n0", { type: "generate" }, "ok", { type: "generate_ok", id: 5 }), op("n1", { type: "generate" }, "ok", { type: "generate_ok", id: 5 })]);
    assert.equal(bad.valid, false);
    assert.match(bad.problems[0]!, /id 5 was generated twice: by n0 .* and by n1/);
  });
});

describe("the protocol", () => {
  it("tells what is wrong with a line a node printed", () => {
    assert.deepEqual(parseLine("hello from my node"), { ok: false, reason: "it is not JSON" });
    assert.deepEqual(parseLine('{"src":"n0","body":{"type":"x"}}'), { ok: false, reason: 'it has no string "dest"' });
    assert.deepEqual(parseLine('{"src":"n0","dest":"c1","body":{"type":"x","in_reply_to":"1"}}'), { ok: false, reason: 'its body\'s "in_reply_to" is not an integer' });
    assert.equal(parseLine('{"src":"n0","dest":"c1","body":{"type":"echo_ok","in_reply_to":1}}').ok, true);
  });
  it("builds Maelstrom's topologies", () => {
    const nodes = ["n0", "n1", "n2", "n3"];
    assert.deepEqual(topology("grid", nodes), { n0: ["n1", "n2"], n1: ["n0", "n3"], n2: ["n0", "n3"], n3: ["n1", "n2"] });
    assert.deepEqual(topology("line", nodes), { n0: ["n1"], n1: ["n0", "n2"], n2: ["n1", "n3"], n3: ["n2"] });
    assert.deepEqual(topology("tree2", nodes).n0, ["n1", "n2"]);
  });
});

describe("services", () => {
  it("are offered under the names the CLI reserves and the report shows as services", () => {
    assert.deepEqual(createServices(() => 0.5).map((s) => s.name), [...SERVICE_NAMES]);
  });
});
