import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { clstr, copyFixture } from "./harness.js";

describe("a learner's server in Python, from clstr init to clstr next", () => {
  const root = mkdtempSync(join(tmpdir(), "clstr-init-"));
  const dir = join(root, "x");

  it("init writes the four files and refuses to overwrite them", async () => {
    const r = await clstr(root, "init", "kv-store", "x", "--language", "python");
    assert.equal(r.code, 0, r.stderr);
    for (const f of ["Dockerfile", "README.md", "clstr.yaml", ".gitignore"]) assert.ok(existsSync(join(dir, f)), f);
    assert.match(readFileSync(join(dir, "Dockerfile"), "utf8"), /iptables/);
    assert.match(readFileSync(join(dir, "clstr.yaml"), "utf8"), /^run: python3 server\.py$/m);
    assert.match(readFileSync(join(dir, "README.md"), "utf8"), /\*\*crash-recovery\*\*/);

    const again = await clstr(root, "init", "kv-store", "x", "--language", "python");
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exist.*--force/);
    const forced = await clstr(root, "init", "kv-store", "x", "--language", "python", "--force");
    assert.equal(forced.code, 0, forced.stderr);
  });

  it("tests the Python server stage by stage", async () => {
    copyFixture("python-kv", dir);
    const first = await clstr(dir, "test");
    assert.equal(first.code, 0, first.stdout);
    assert.match(first.stdout, /PASSED ✓/);

    const next = await clstr(dir, "next");
    assert.equal(next.code, 0, next.stdout);
    assert.match(next.stdout, /Advanced to persistence: Data Survives SIGTERM/);
    assert.match(readFileSync(join(dir, "clstr.yaml"), "utf8"), /^stage: persistence$/m);

    // An in-memory store cannot pass persistence, and next must not advance.
    const stuck = await clstr(dir, "next");
    assert.equal(stuck.code, 1);
    assert.match(stuck.stdout, /✗ Data Survives a Graceful Restart/);
    assert.match(stuck.stdout, /Complete persistence before advancing\./);
    assert.match(readFileSync(join(dir, "clstr.yaml"), "utf8"), /^stage: persistence$/m);

    const status = await clstr(dir, "status");
    assert.match(status.stdout, /✓ http-api {11}- Store and Retrieve Data/);
    assert.match(status.stdout, /→ persistence {8}- Data Survives SIGTERM/);

    const logs = await clstr(dir, "logs", "n1");
    assert.match(logs.stdout, /\[n1\]  \+0\.000s     \[START\]/);
    assert.match(logs.stdout, /python node listening on (10\.0\.42|127\.0\.\d+)\.101:8080/);
    assert.match(logs.stdout, /\[RESTART: STOP\]/);
  });

  it("guide prints the stage guide", async () => {
    const r = await clstr(dir, "guide", "http-api");
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^# Store and Retrieve Data/m);
    writeFileSync(join(dir, "note"), "");
  });
});
