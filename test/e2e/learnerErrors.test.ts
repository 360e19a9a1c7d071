import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { challengeDir, clstr } from "./harness.js";

// Every mistake a learner can make gets one clear sentence, never a stack trace.
function noStackTrace(text: string): void {
  assert.doesNotMatch(text, /\n\s+at .*:\d+:\d+/);
}

describe("errors a learner can cause", () => {
  it("a malformed clstr.yaml is one sentence and exit 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clstr-bad-"));
    writeFileSync(join(dir, "clstr.yaml"), "challenge: kv-store\nstage: [oops\n");
    const r = await clstr(dir, "test");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^clstr: clstr\.yaml is not valid YAML \(line \d\).*; fix the syntax/);
    assert.equal(r.stderr.trim().split("\n").length, 1);
  });

  it("outside a challenge directory", async () => {
    const r = await clstr(mkdtempSync(join(tmpdir(), "clstr-empty-")), "status");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /There is no clstr\.yaml here .*clstr init/);
  });

  it("a clstr.yaml without run:", async () => {
    const r = await clstr(challengeDir({}), "test");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /has no `run:` command and there is no Dockerfile here; add `run:` with the shell command that starts one node/);
  });

  it("an unknown stage", async () => {
    const dir = challengeDir({ run: "true" });
    const unknown = await clstr(dir, "test", "raft");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /kv-store has no stage `raft`; the stages are: http-api, persistence/);
    // No stage is still to come (gossip-glomers' transactions run since issue 16); afterPass's coming-soon is unit-tested (next.test.ts).
  });

  it("a node that crashes at start fails fast with its output", async () => {
    const dir = challengeDir({ run: "echo 'config missing: PORT' >&2; exit 3" });
    const started = Date.now();
    const r = await clstr(dir, "test");
    assert.equal(r.code, 1);
    assert.ok(Date.now() - started < 8000, "should not wait for the startup timeout");
    assert.match(r.stdout, /✗ CLUSTER STARTUP/);
    assert.match(r.stdout, /n1 exited before it became ready: it exited with code 3/);
    assert.match(r.stdout, /config missing: PORT/);
    noStackTrace(r.stdout + r.stderr);
  });

  it("a node that never answers /health", async () => {
    const dir = challengeDir({ run: "echo waiting; exec sleep 60" });
    const r = await clstr(dir, "test");
    assert.equal(r.code, 1);
    assert.match(r.stdout, /n1 did not become ready: GET \/health at (10\.0\.42|127\.0\.\d+)\.101:8080 did not answer 200 within 10\.00s \(last: connection refused/);
    assert.match(r.stdout, /Make your server listen on the address in ADDR/);
  });

  it("a failing build shows its output and starts no node", async () => {
    const dir = challengeDir({ build: "echo 'main.go:3: syntax error'; exit 2", run: "true" });
    const r = await clstr(dir, "test");
    assert.equal(r.code, 1);
    assert.match(r.stdout, /The build command `.*` failed with exit code 2/);
    assert.match(r.stdout, /main\.go:3: syntax error/);
  });

  it("a node that crashes mid-test is named in the failure", async () => {
    // Serves normally until the first PUT, then exits.
    const script = join(mkdtempSync(join(tmpdir(), "clstr-crash-")), "server.mjs");
    writeFileSync(
      script,
      `import http from "node:http";
const [host, port] = process.env.ADDR.split(":");
http.createServer((req, res) => {
  if (req.method === "PUT") { console.error("panic: nil map"); process.exit(2); }
  res.writeHead(200, { "content-type": "text/plain" }); res.end("ok");
}).listen(Number(port), host);`,
    );
    const r = await clstr(challengeDir({ run: `node ${script}` }), "test");
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✗ PUT Stores Values/);
    assert.match(r.stdout, /n1 is not running: it exited with code 2 at \+/);
    assert.match(r.stdout, /panic: nil map/);
  });
});
