import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { EngineOptions, EngineResult } from "../../src/maelstrom/engine.js";
import { statsByF, type Operation } from "../../src/maelstrom/history.js";
import type { Journey } from "../../src/maelstrom/network.js";
import { participantsOf } from "../../src/maelstrom/participants.js";
import { maelstromReport, writeMaelstromReport, type ReportData } from "../../src/reports/maelstromHtml.js";

const EVIL = "</script><script>alert(1)</script>";

function options(storeDir: string): EngineOptions {
  return {
    workload: "echo",
    bin: "node",
    args: ["echo.js"],
    cwd: storeDir,
    nodeCount: 2,
    nodes: ["n0", "n1"],
    timeLimitS: 1,
    rate: 10,
    concurrency: 2,
    latencyMs: 5,
    latencyDist: "constant",
    nemesis: ["partition"],
    nemesisIntervalS: 0.5,
    topology: "grid",
    storeDir,
    seed: 1,
  };
}

function result(storeDir: string, history: Operation[], journeys: Journey[], extra: Partial<EngineResult> = {}): EngineResult {
  const counts = { sendCount: journeys.length, recvCount: journeys.length, msgCount: journeys.length, dropCount: 0, msgsPerOp: 1 };
  return {
    valid: true,
    stats: statsByF(history),
    net: { all: counts, clients: counts, servers: counts },
    workload: { valid: true, problems: [] },
    problems: [],
    history,
    journeys,
    events: [
      { at: 10, what: "nodes initialized" },
      { at: 12, what: "clients started: 10/s for 1 s" },
      { at: 500, what: "isolated n1" },
      { at: 1000, what: "healed the network" },
      { at: 1100, what: "final reads" },
    ],
    nodes: ["n0", "n1"],
    participants: participantsOf(extra.nodes ?? ["n0", "n1"], ["c1", "c2"]),
    durationMs: 1200,
    storeDir,
    ...extra,
  };
}

const history: Operation[] = [
  { client: "c1", node: "n0", f: "echo", request: { type: "echo", echo: "hi" }, invokedAt: 20.04, completedAt: 30.06, outcome: "ok", reply: { type: "echo_ok", echo: "hi", in_reply_to: 1 } },
  { client: "c2", node: "n1", f: "echo", request: { type: "echo", echo: EVIL }, invokedAt: 40, completedAt: 540, outcome: "info" },
  { client: "c1", node: "n1", f: "echo", request: { type: "echo", echo: "line\u2028separator" }, invokedAt: 1150, completedAt: 1160, outcome: "ok", reply: { type: "echo_ok", echo: "line\u2028separator" }, final: true },
];

const journeys: Journey[] = [
  { src: "c0", dest: "n0", type: "init", msgId: 1, sentAt: 1, deliveredAt: 6 },
  { src: "c1", dest: "n0", type: "echo", msgId: 2, sentAt: 20.04, deliveredAt: 25.04 },
  { src: "n0", dest: "n1", type: "gossip", msgId: 7, sentAt: 22, deliveredAt: 27 },
  { src: "n0", dest: "c1", type: "echo_ok", msgId: 3, inReplyTo: 2, sentAt: 25.05, deliveredAt: 30.06 },
  { src: "n0", dest: "n1", type: "gossip", msgId: 8, sentAt: 600, dropped: "partition" },
  { src: "n1", dest: "lin-kv", type: "read", msgId: 9, sentAt: 700, dropped: "loss" },
  { src: "n1", dest: "n0", type: "gossip", sentAt: 1190 },
];

/** The JSON in <script id="data">, parsed as the page's script will. */
function embeddedData(html: string): ReportData {
  const m = /<script type="application\/json" id="data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, "the page has a data script");
  return JSON.parse(m[1]!) as ReportData;
}

describe("Maelstrom HTML report", () => {
  const dir = mkdtempSync(join(tmpdir(), "clstr-report-"));
  const html = maelstromReport(options(dir), result(dir, history, journeys));

  it("is one self-contained document: nothing loaded from the network", () => {
    assert.match(html, /^<!doctype html>\n<html lang="en">/);
    assert.equal(html.match(/<html\b/g)?.length, 1);
    assert.equal(html.match(/<\/html>/g)?.length, 1);
    assert.doesNotMatch(html, /\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    assert.doesNotMatch(html, /<link\b/i);
    assert.doesNotMatch(html, /<script\b[^>]*\bsrc\s*=/i);
    assert.doesNotMatch(html, /@import/);
    assert.match(html, /var uPlot=/, "uPlot is inlined");
    assert.match(html, /<span class="verdict verdict-valid" id="verdict">VALID<\/span>/);
  });

  it("embeds the operations and the message journeys, compactly", () => {
    const data = embeddedData(html);
    assert.deepEqual(data.procs, ["n0", "n1", "lin-kv", "c0", "c1", "c2"]);
    assert.deepEqual(data.kinds, ["node", "node", "service", "client", "client", "client"]);
    assert.equal(data.ops.length, 3);
    const [first, , last] = data.ops;
    assert.deepEqual(first, [4, 0, 0, 20, 30.1, 0, 0, { type: "echo", echo: "hi" }, { type: "echo_ok", echo: "hi", in_reply_to: 1 }]);
    assert.equal(last![6], 1, "the final read is marked");
    assert.equal(data.msgs.src.length, journeys.length);
    const sent: number[] = [];
    data.msgs.sent.reduce((t, d) => (sent.push((t + d) / 10), t + d), 0);
    assert.deepEqual(sent, [1, 20, 22, 25.1, 600, 700, 1190]);
    assert.deepEqual(data.msgs.took, [50, 50, 50, 50, -1, -2, -3]);
    assert.deepEqual(data.msgs.re, [null, null, null, 2, null, null, null]);
    assert.deepEqual(data.partitions, [[500, 1000, "isolated n1"]]);
    assert.equal(data.clientsStartedAt, 12);
    assert.equal(data.finalAt, 1100);
  });

  it("takes each participant's kind from the run, not from its name", () => {
    const nodes = ["c7", "edge"];
    const odd: Journey[] = [
      { src: "c7", dest: "edge", type: "gossip", sentAt: 1, deliveredAt: 2 },
      { src: "client-a", dest: "c7", type: "echo", msgId: 1, sentAt: 3, deliveredAt: 4 },
    ];
    const participants = [...participantsOf(nodes, []), { name: "client-a", kind: "client" as const }];
    const data = embeddedData(maelstromReport({ ...options(dir), nodes }, result(dir, [], odd, { nodes, participants })));
    assert.deepEqual(data.procs, ["c7", "edge", "client-a"]);
    assert.deepEqual(data.kinds, ["node", "node", "client"]);
  });

  it("escapes a request body that holds </script>, so it cannot end the data script", () => {
    assert.equal(html.includes(EVIL), false);
    assert.equal(html.match(/<\/script>/g)?.length, 3, "only the data, uPlot and report scripts close");
    assert.equal(html.includes("\u2028"), false);
    const request = embeddedData(html).ops[1]![7] as { echo: string };
    assert.equal(request.echo, EVIL, "the body comes back whole when parsed");
  });

  it("shows the verdict and problems as text, escaped", () => {
    const bad = maelstromReport(options(dir), result(dir, history, journeys, { valid: false, problems: ["value <b>7</b> was lost"] }));
    assert.match(bad, /verdict-invalid" id="verdict">INVALID</);
    assert.match(bad, /<li>value &lt;b&gt;7&lt;\/b&gt; was lost<\/li>/);
  });

  it("cuts very long bodies and writes report.html into the store directory", async () => {
    const long: Operation = { ...history[0]!, reply: { type: "read_ok", messages: Array.from({ length: 5000 }, (_, i) => i) } };
    const data = embeddedData(maelstromReport(options(dir), result(dir, [long], journeys)));
    assert.match(String(data.ops[0]![8]), /… \(\d+ more characters; see history\.jsonl\)$/);
    const path = await writeMaelstromReport(options(dir), result(dir, history, journeys));
    assert.equal(path, join(dir, "report.html"));
    assert.ok(existsSync(path));
    assert.equal(readFileSync(path, "utf8"), html);
  });

  it("stays under 15 MB with 200,000 messages", () => {
    const many: Journey[] = Array.from({ length: 200_000 }, (_, i) => {
      const sentAt = i * 0.3 + ((i * 7919) % 13) / 100;
      const j: Journey = { src: `n${i % 5}`, dest: `n${(i + 1) % 5}`, type: i % 2 ? "gossip_ok" : "gossip", msgId: 100_000 + i, sentAt };
      if (i % 2) j.inReplyTo = 99_999 + i;
      if (i % 50 === 0) j.dropped = "partition";
      else j.deliveredAt = sentAt + 20 + (i % 7);
      return j;
    });
    const nodes = ["n0", "n1", "n2", "n3", "n4"];
    const big = maelstromReport({ ...options(dir), nodeCount: 5, nodes }, result(dir, history, many, { nodes }));
    assert.ok(big.length < 15_000_000, `${big.length} bytes`);
    assert.equal(embeddedData(big).msgs.sent.length, 200_000);
  });
});
