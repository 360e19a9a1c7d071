import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HistoryRecorder } from "../../src/attest/history/recorder.js";
import { answerOf, classify, runWorkload, type WorkloadTarget } from "../../src/attest/history/workload.js";
import { checkRecording } from "../../src/attest/history/linearizable.js";
import { RequestError, type HttpResponse } from "../../src/attest/httpClient.js";
import { checkHistory } from "../../src/checkers/linearizability/check.js";
import { pairOperations, type HistoryEvent } from "../../src/checkers/linearizability/history.js";
import { seeded } from "../../src/util/random.js";

const response = (status: number, body = "", location?: string) => ({ kind: "response" as const, status, body, location });

describe("what an answer means for the history", () => {
  it("2xx happened: a GET with the body, a 404 GET as not found, PUT and DELETE with no value", () => {
    assert.deepEqual(classify("get", response(200, "v1")), { type: "ok", value: "v1" });
    assert.deepEqual(classify("get", response(404, "key not found")), { type: "ok", value: null });
    assert.deepEqual(classify("put", response(200)), { type: "ok", value: null });
    assert.deepEqual(classify("put", response(201)), { type: "ok", value: null });
    assert.deepEqual(classify("delete", response(200)), { type: "ok", value: null });
  });

  it("a documented refusal (4xx) certainly did nothing: fail", () => {
    assert.equal(classify("put", response(400, "value cannot be empty")).type, "fail");
    assert.equal(classify("delete", response(404)).type, "fail");
    assert.equal(classify("get", response(405)).type, "fail");
  });

  it("307 is followed and 503 is asked again (of the next node): neither did anything", () => {
    assert.deepEqual(classify("put", response(307, "", "http://10.0.42.101:8080/kv/k1")), { type: "redirect", location: "http://10.0.42.101:8080/kv/k1" });
    assert.equal(classify("get", response(307)).type, "fail", "a 307 that names no leader cannot be followed");
    assert.deepEqual(classify("put", response(503)), { type: "retry", reason: "503: no leader" });
  });

  it("a timeout, a dropped connection or another 5xx may have happened: info", () => {
    const timedOut = answerOf(new RequestError("Request timed out: server did not respond within 500ms", true));
    const reset = answerOf(new RequestError("connection closed by the server before it sent a response", false, "UND_ERR_SOCKET"));
    assert.equal(classify("put", timedOut).type, "info");
    assert.equal(classify("get", reset).type, "info");
    assert.equal(classify("put", response(500)).type, "info");
    assert.equal(classify("delete", response(502)).type, "info");
  });

  it("a refused connection never reached the server: asked again", () => {
    for (const code of ["ECONNREFUSED", "EHOSTUNREACH"]) {
      const refused = answerOf(new RequestError("connection refused: nothing is listening at n1", false, code));
      assert.deepEqual(classify("put", refused), { type: "retry", reason: "connection refused: nothing is listening at n1" });
    }
  });
});

describe("the history recorder", () => {
  it("stamps events on a clock that starts with it, and pairs each fault with its end", () => {
    let now = 1_000_000n;
    const recorder = new HistoryRecorder(() => (now += 10n));
    recorder.invoke(0, "put", "k1", "0-0");
    const kill = recorder.faultStarted("kill", { node: "n1", signal: "SIGKILL" }, ["n1"]);
    recorder.complete(0, "info", "put", "k1", "0-0");
    kill.end("restart", { node: "n1" });
    kill.end("restart", { node: "n1" }); // once only
    recorder.invoke(5, "get", "k1", null);
    recorder.complete(5, "ok", "get", "k1", null);
    assert.deepEqual(
      recorder.events.map((e) => [e.process, e.type, e.f, e.time]),
      [[0, "invoke", "put", 10], ["nemesis", "info", "kill", 20], [0, "info", "put", 30], ["nemesis", "info", "restart", 40], [5, "invoke", "get", 50], [5, "ok", "get", 60]],
    );
    assert.deepEqual(recorder.intervals(), [{ f: "kill", value: { node: "n1", signal: "SIGKILL" }, start: 20, end: 40 }]);
    assert.deepEqual(recorder.openFaults(), []);
    assert.deepEqual(recorder.counts(), { ok: 1, fail: 0, info: 1 });
  });
});

/**
 * A cluster in memory: n1 leads and serves from one store (linearizable),
 * n2 redirects to it, n3 answers 503; with `n3Leads` n3 serves the same
 * store, with `staleN3` a store of its own that no other node writes to.
 */
function fakeCluster(opts: { timeoutEvery?: number; staleN3?: boolean; n3Leads?: boolean } = {}): WorkloadTarget & { calls: number } {
  const store = new Map<string, string>();
  const stale = new Map<string, string>();
  let calls = 0;
  const answer = (status: number, body = "", headers: Record<string, string> = {}): HttpResponse => ({ status, body, headers });
  return {
    nodes: ["n1", "n2", "n3"],
    address: (n) => `10.0.42.10${n.slice(1)}:8080`,
    signal: new AbortController().signal,
    get calls() {
      return calls;
    },
    async request(node, req) {
      calls++;
      await new Promise((r) => setImmediate(r));
      const key = req.path.slice("/kv/".length);
      if (opts.timeoutEvery && calls % opts.timeoutEvery === 0) {
        if (req.method === "PUT") store.set(key, req.body!); // it happened, but nobody heard
        throw new RequestError(`Request timed out: server did not respond within ${req.timeoutMs}ms`, true);
      }
      if (node === "n2") return answer(307, "", { location: `http://10.0.42.101:8080${req.path}` });
      if (node === "n3" && !opts.staleN3 && !opts.n3Leads) return answer(503, "no leader");
      const kv = node === "n3" && opts.staleN3 ? stale : store;
      switch (req.method) {
        case "GET": {
          const v = kv.get(key);
          return v === undefined ? answer(404, "key not found") : answer(200, v);
        }
        case "PUT":
          kv.set(key, req.body!);
          return answer(200, "OK");
        default:
          kv.delete(key);
          return answer(200, "OK");
      }
    },
  };
}

const calls = (events: readonly HistoryEvent[], client: number, clients: number) =>
  events.filter((e) => e.type === "invoke" && typeof e.process === "number" && e.process % clients === client).map((e) => [e.f, e.key, e.value]);

describe("the kv workload", () => {
  it("records a linearizable history from a linearizable cluster, following redirects and waiting out 503s", async () => {
    const target = fakeCluster();
    const run = await runWorkload(target, { clients: 4, durationMs: 200, keys: 3, random: seeded(7), pauseMs: 0 });
    const counts = run.recorder.counts();
    assert.ok(counts.ok > 20, `only ${counts.ok} operations succeeded`);
    assert.equal(counts.info, 0);
    const result = await checkHistory(pairOperations(run.recorder.events), "kv-cas");
    assert.equal(result.outcome, "ok");
    // Puts write unique values: "<client>-<n>".
    const written = run.recorder.events.filter((e) => e.type === "invoke" && e.f === "put").map((e) => e.value);
    assert.equal(new Set(written).size, written.length);
  });

  it("gives a client a new process after an operation of unknown outcome, as Jepsen does", async () => {
    const run = await runWorkload(fakeCluster({ timeoutEvery: 7 }), { clients: 3, durationMs: 100, keys: 2, random: seeded(1), pauseMs: 0, opTimeoutMs: 50 });
    const events = run.recorder.events;
    assert.ok(run.recorder.counts().info > 0);
    for (const [i, e] of events.entries()) {
      if (e.type !== "info") continue;
      const next = events.slice(i + 1).find((later) => later.type === "invoke" && typeof later.process === "number" && later.process % 3 === (e.process as number) % 3);
      if (next) assert.equal(next.process, (e.process as number) + 3);
    }
    // The history pairs (no process invokes twice) and stays linearizable: a timed-out put took effect.
    assert.equal((await checkHistory(pairOperations(events), "kv-cas")).outcome, "ok");
  });

  it("makes the same calls, client by client, from the same seed", async () => {
    // Every node serves at once, so each client makes many calls whatever the machine's load.
    const options = { clients: 3, durationMs: 100, keys: 3, pauseMs: 0 };
    const a = await runWorkload(fakeCluster({ n3Leads: true }), { ...options, random: seeded(42) });
    const b = await runWorkload(fakeCluster({ n3Leads: true }), { ...options, random: seeded(42) });
    const c = await runWorkload(fakeCluster({ n3Leads: true }), { ...options, random: seeded(43) });
    for (const client of [0, 1, 2]) {
      const [x, y, z] = [calls(a.recorder.events, client, 3), calls(b.recorder.events, client, 3), calls(c.recorder.events, client, 3)];
      const n = Math.min(x.length, y.length, z.length);
      assert.ok(n >= 5, `client ${client} made only ${n} calls`);
      assert.deepEqual(x.slice(0, n), y.slice(0, n));
      assert.notDeepEqual(x.slice(0, n), z.slice(0, n));
    }
  });

  it("a node serving stale reads is caught: the message names the key and the files", async () => {
    const run = await runWorkload(fakeCluster({ staleN3: true }), { clients: 4, durationMs: 150, keys: 2, random: seeded(3), pauseMs: 0 });
    const { mkdtempSync, readFileSync, existsSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "clstr-history-"));
    const recording = { events: run.recorder.events, nemesis: [], counts: run.recorder.counts(), reasons: run.reasons, schedule: [] };
    const checked = await checkRecording(recording, { dir, stem: "stage-test", picture: () => "<html>picture</html>", seed: 3 });
    assert.equal(checked.result.outcome, "illegal");
    assert.match(checked.failure!, /^The history is not linearizable: key "k\d"/);
    assert.match(checked.failure!, /cannot be placed/);
    assert.match(checked.failure!, new RegExp(`History: ${join(dir, "stage-test.jsonl")}`));
    assert.match(checked.failure!, new RegExp(`Picture: ${join(dir, "stage-test.html")}`));
    const lines = readFileSync(join(dir, "stage-test.jsonl"), "utf8").trim().split("\n");
    assert.equal(lines.length, run.recorder.events.length);
    assert.deepEqual(Object.keys(JSON.parse(lines[0]!)), ["process", "type", "f", "key", "value", "time"]);
    const verdict = JSON.parse(readFileSync(join(dir, "stage-test.verdict.json"), "utf8")) as { outcome: string; seed: number };
    assert.equal(verdict.outcome, "illegal");
    assert.equal(verdict.seed, 3);
    assert.ok(existsSync(join(dir, "stage-test.html")));
  });
});
