// `clstr check txn` end to end: exit codes, the explanation, --json, standard
// input, EDN, and input or arguments it cannot use.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";
import { CLI, clstr } from "./harness.js";

const dir = mkdtempSync(join(tmpdir(), "clstr-check-txn-"));
const jsonl = (events: object[]) => events.map((e) => JSON.stringify(e)).join("\n") + "\n";

/** Write skew: each reads the key the other appends to; a third reads both. Allowed by snapshot isolation, not serializability. */
const SKEW = jsonl([
  { process: 0, type: "invoke", f: "txn", value: [["r", "x", null], ["append", "y", 1]], time: 0 },
  { process: 1, type: "invoke", f: "txn", value: [["r", "y", null], ["append", "x", 1]], time: 1 },
  { process: 0, type: "ok", f: "txn", value: [["r", "x", []], ["append", "y", 1]], time: 2 },
  { process: 1, type: "ok", f: "txn", value: [["r", "y", []], ["append", "x", 1]], time: 3 },
  { process: 2, type: "invoke", f: "txn", value: [["r", "x", null], ["r", "y", null]], time: 4 },
  { process: 2, type: "ok", f: "txn", value: [["r", "x", [1]], ["r", "y", [1]]], time: 5 },
]);

const SERIAL_EDN = `{:type :invoke, :f :txn, :value [[:append 1 2] [:r 1 nil]], :process 3, :index 0, :time 0}
{:type :ok, :f :txn, :value [[:append 1 2] [:r 1 [2]]], :process 3, :index 1, :time 10}
{:type :invoke, :f :txn, :value [[:r 1 nil]], :process 4, :index 2, :time 20}
{:type :ok, :f :txn, :value [[:r 1 [2]]], :process 4, :index 3, :time 30}
`;

writeFileSync(join(dir, "skew.jsonl"), SKEW);
writeFileSync(join(dir, "serial.edn"), SERIAL_EDN);
writeFileSync(join(dir, "bad.jsonl"), `${jsonl([{ process: 0, type: "invoke", f: "txn", value: [["w", "x", 1]] }])}{"process": 0, "type": "ok", "f": "txn", "value": 7}\n`);

describe("clstr check txn", () => {
  it("exit 1 with the anomaly named and explained when a requested model is ruled out; 0 for the models it satisfies", async () => {
    const bad = await clstr(dir, "check", "txn", "--workload", "list-append", "--models", "serializable", "skew.jsonl");
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /skew\.jsonl: not serializable \(3 transactions: 3 committed, 0 aborted, 0 indeterminate\)/);
    assert.match(bad.stdout, /consistent with snapshot-isolation but not repeatable-read/);
    assert.match(bad.stdout, /G2-item: a cycle with two or more read-write anti-dependencies/);
    assert.match(bad.stdout, /T0 read "x"=\[\] and T1 appended 1, the first element of "x", so T0 → T1 \(rw\)/);
    const good = await clstr(dir, "check", "txn", "--workload", "list-append", "--models", "read-committed,snapshot-isolation", "skew.jsonl");
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /valid for read-committed, snapshot-isolation/);
  });

  it("--html draws each witness cycle with its edges labelled, and the timeline", async () => {
    const r = await clstr(dir, "check", "txn", "--workload", "list-append", "--models", "serializable", "--html", "skew.html", "skew.jsonl");
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /Picture: skew\.html/);
    const page = readFileSync(join(dir, "skew.html"), "utf8");
    assert.match(page, /^<!doctype html>/);
    assert.match(page, /<h2 id="a0">G2-item<\/h2>/);
    assert.equal((page.match(/class="edge-rw"/g) ?? []).length, 2);
    assert.match(page, /aria-label="timeline"/);
    assert.doesNotMatch(page, /<script/);
  });

  it("reads Jepsen EDN, and standard input with --json", async () => {
    const edn = await clstr(dir, "check", "txn", "--workload", "list-append", "serial.edn");
    assert.equal(edn.code, 0, edn.stdout + edn.stderr);
    const r = await execa(process.execPath, [CLI, "check", "txn", "--workload", "list-append", "--models", "serializable", "--json", "-"], { input: SKEW, reject: false });
    assert.equal(r.exitCode, 1);
    const doc = JSON.parse(r.stdout) as { outcome: string; counts: Record<string, number>; strongest: string[]; anomalies: { name: string; cycle: unknown[] }[] };
    assert.equal(doc.outcome, "illegal");
    assert.deepEqual(doc.strongest, ["snapshot-isolation"]);
    assert.equal(doc.anomalies.find((a) => a.name === "G2-item")?.cycle.length, 2);
  });

  it("exit 3 for a file it cannot read, naming the line, and for bad arguments, in one sentence", async () => {
    const bad = await clstr(dir, "check", "txn", "--workload", "rw-register", "bad.jsonl");
    assert.equal(bad.code, 3);
    assert.match(bad.stdout, /bad\.jsonl: cannot be read: line 2: the completion must be a list of micro-operations/);
    const missing = await clstr(dir, "check", "txn", "--workload", "rw-register", "nope.jsonl");
    assert.equal(missing.code, 3);
    assert.match(missing.stdout, /nope\.jsonl: cannot be read: no such file/);
    const model = await clstr(dir, "check", "txn", "--workload", "rw-register", "--models", "linearizable", "skew.jsonl");
    assert.equal(model.code, 3);
    assert.match(model.stderr, /There is no consistency model "linearizable"/);
    assert.doesNotMatch(model.stderr, /at .*\.js:\d+/);
    const workload = await clstr(dir, "check", "txn", "--workload", "bank", "skew.jsonl");
    assert.equal(workload.code, 3);
  });
});
