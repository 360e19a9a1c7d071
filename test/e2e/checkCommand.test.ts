// `clstr check linearizable` end to end: every format, many files in one
// process, the verdicts the public histories are known to have, the exit
// codes, standard input, JSON, the picture, and input it cannot read.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";
import { packageRoot } from "../../src/util/packageRoot.js";
import { CLI, clstr } from "./harness.js";

const HISTORIES = join(packageRoot, "test", "fixtures", "histories");
const expected = JSON.parse(readFileSync(join(HISTORIES, "expected.json"), "utf8")) as Record<string, boolean>;
const tmp = () => mkdtempSync(join(tmpdir(), "clstr-check-test-"));

/** A small register history with a stale read, in JSON lines. */
const STALE = [
  { process: 0, type: "invoke", f: "write", value: 1, time: 0 },
  { process: 0, type: "ok", f: "write", value: 1, time: 10 },
  { process: 1, type: "invoke", f: "read", value: null, time: 20 },
  { process: 1, type: "ok", f: "read", value: 0, time: 30 },
]
  .map((e) => JSON.stringify(e))
  .join("\n");

describe("clstr check linearizable", () => {
  it("gives every public etcd history its known verdict, one line each, in one process, exit 1 for the worst", async () => {
    const files = readdirSync(join(HISTORIES, "etcd")).sort();
    const r = await clstr(HISTORIES, "check", "linearizable", "--model", "cas-register", ...files.map((f) => join("etcd", f)));
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.split("\n").filter((l) => l.startsWith("etcd/"));
    assert.equal(lines.length, files.length);
    for (const line of lines) {
      const file = line.slice(0, line.indexOf(":"));
      const verdict = /: linearizable \(/.test(line) ? true : /: not linearizable \(/.test(line) ? false : undefined;
      assert.equal(verdict, expected[file], line);
    }
    assert.match(r.stdout, /total: 103 histories, 24 linearizable, 79 not, 0 unknown; checked in \d+ ms/);
  });

  it("reads Jepsen's EDN (the 6.824 kv histories) per key and as one object, and explains a violation", async () => {
    for (const name of ["c01", "c10", "c50"]) {
      const ok = await clstr(HISTORIES, "check", "linearizable", "--model", "kv", `kv/${name}-ok.txt`);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      const bad = await clstr(HISTORIES, "check", "linearizable", "--model", "kv", `kv/${name}-bad.txt`);
      assert.equal(bad.code, 1, bad.stdout + bad.stderr);
      assert.match(bad.stdout, /not linearizable \(\d+ operations, \d+ parts; key "\d+"/);
      assert.match(bad.stdout, /cannot be placed: no order lets it take effect before it returned/);
    }
    const whole = await clstr(HISTORIES, "check", "linearizable", "--model", "kv", "--no-partition", "kv/c10-bad.txt");
    assert.equal(whole.code, 1, whole.stdout);
    assert.match(whole.stdout, /not linearizable \(405 operations\)/);
  });

  it("reads JSON lines from standard input, says why in words, and prints one JSON document with --json", async () => {
    const text = await execa(process.execPath, [CLI, "check", "linearizable", "--model", "register", "-"], { input: STALE, reject: false, env: { NO_COLOR: "1" } });
    assert.equal(text.exitCode, 1);
    assert.match(text.stdout, /^stdin: not linearizable \(2 operations\)/);
    assert.match(text.stdout, /After write\(1\) by client 0 \(the value was 1\), read\(\) → 0 by client 1 cannot be placed/);
    assert.match(text.stdout, /It started after write\(1\) by client 0 finished, so it must come after it\./);

    const json = await execa(process.execPath, [CLI, "check", "linearizable", "--model", "register", "--json", "-"], { input: STALE, reject: false });
    assert.equal(json.exitCode, 1);
    const doc = JSON.parse(json.stdout);
    assert.equal(doc.outcome, "illegal");
    assert.equal(doc.files[0].format, "jsonl");
    assert.deepEqual(doc.files[0].result.parts[0].prefix, [0]);
    assert.deepEqual(doc.files[0].result.parts[0].stuck, [1]);
  });

  it("exits 0 when every history is linearizable, and treats an empty file as an empty history", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "empty.jsonl"), "");
    writeFileSync(join(dir, "ok.jsonl"), STALE.replace('"value":0', '"value":1'));
    const r = await clstr(dir, "check", "linearizable", "--model", "register", "empty.jsonl", "ok.jsonl");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /empty\.jsonl: linearizable \(0 operations\)/);
    assert.match(r.stdout, /ok\.jsonl: linearizable \(2 operations\)/);
  });

  it("answers unknown (exit 2) when the time budget runs out, naming the reason", async () => {
    const dir = tmp();
    // Eighteen concurrent writes and a read of a value nobody wrote: every order has to be tried.
    const events = [];
    for (let p = 0; p < 18; p++) events.push({ process: p, type: "invoke", f: "write", value: p, time: p });
    for (let p = 0; p < 18; p++) events.push({ process: p, type: "ok", f: "write", value: p, time: 100 + p });
    events.push({ process: 99, type: "invoke", f: "read", value: null, time: 200 }, { process: 99, type: "ok", f: "read", value: 99, time: 201 });
    writeFileSync(join(dir, "hard.jsonl"), events.map((e) => JSON.stringify(e)).join("\n"));
    const r = await clstr(dir, "check", "linearizable", "--model", "register", "--timeout", "0.2", "hard.jsonl");
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /hard\.jsonl: unknown \(19 operations\): no answer within the time budget/);
  });

  it("says what it cannot read with the line number (exit 3), never a stack trace, and still checks the other files", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "broken.jsonl"), `${STALE.split("\n").slice(0, 2).join("\n")}\n{"process": 1, "type": "invoke"`);
    writeFileSync(join(dir, "wrong.jsonl"), JSON.stringify({ process: 0, type: "invoke", f: "incr", value: 1 }));
    writeFileSync(join(dir, "good.jsonl"), STALE);
    const r = await clstr(dir, "check", "linearizable", "--model", "register", "broken.jsonl", "wrong.jsonl", "missing.jsonl", "good.jsonl");
    assert.equal(r.code, 3);
    assert.match(r.stdout, /broken\.jsonl: cannot be read: line 3: /);
    assert.match(r.stdout, /wrong\.jsonl: cannot be read: line 1: register knows read and write, not incr/);
    assert.match(r.stdout, /missing\.jsonl: cannot be read: no such file/);
    assert.match(r.stdout, /good\.jsonl: not linearizable/);
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /);

    const model = await clstr(dir, "check", "linearizable", "--model", "queue", "good.jsonl");
    assert.equal(model.code, 3);
    assert.match(model.stderr, /Allowed choices are register, cas-register, kv, kv-cas, lin-kv/);
    const timeout = await clstr(dir, "check", "linearizable", "--model", "register", "--timeout", "0", "good.jsonl");
    assert.equal(timeout.code, 3);
    assert.match(timeout.stderr, /--timeout takes a number of seconds above 0, not "0"/);
  });

  it("writes the picture with --html: one page per history, named after it, self-contained", async () => {
    const dir = tmp();
    const one = await clstr(dir, "check", "linearizable", "--model", "cas-register", "--html", join(dir, "etcd.html"), join(HISTORIES, "etcd", "etcd_001.log"));
    assert.equal(one.code, 1);
    assert.match(one.stdout, /picture: .*etcd\.html/);
    const page = readFileSync(join(dir, "etcd.html"), "utf8");
    assert.match(page, /^<!doctype html>/i);
    assert.doesNotMatch(page, /<script[^>]+src=|<link[^>]+href="http/);

    const many = await clstr(dir, "check", "linearizable", "--model", "kv", "--html", join(dir, "kv.html"), join(HISTORIES, "kv", "c01-ok.txt"), join(HISTORIES, "kv", "c01-bad.txt"));
    assert.equal(many.code, 1);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith("kv.")).sort(), ["kv.c01-bad.html", "kv.c01-ok.html"]);
  });
});
