import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Is, Node, suite } from "../../src/attest/index.js";
import { runSuite, type TestResult } from "../../src/attest/runner.js";
import { EventLog } from "../../src/logs/eventLog.js";
import { readLog } from "../../src/logs/render.js";
import { LocalRuntime } from "../../src/runtimes/local/localRuntime.js";
import { detectCapabilities } from "../../src/runtimes/sandbox/capabilities.js";
import { packageRoot } from "../../src/util/packageRoot.js";
import { challengeDir } from "./harness.js";

const caps = await detectCapabilities();
const skip = caps.iptables.available ? false : `no iptables in the sandbox here: ${caps.iptables.reason}`;
const server = `node ${join(packageRoot, "test", "fixtures", "peer-probe", "server.mjs")}`;

async function run(s: ReturnType<typeof suite>) {
  const dir = challengeDir({ run: server });
  const runtime = await LocalRuntime.create({ cwd: dir, run: server, runDir: join(dir, ".clstr"), runId: randomUUID() });
  const log = new EventLog(join(dir, ".clstr", "logs", "run.jsonl"));
  const results: TestResult[] = [];
  try {
    const result = await runSuite(s, {
      runtime,
      log,
      signal: new AbortController().signal,
      listener: { testFinished: (r) => results.push(r), startupFailed: () => {} },
    });
    return { result, results, events: () => readLog(log.path) };
  } finally {
    await runtime.close();
    await log.close();
  }
}

describe("network faults in the sandbox", { skip }, () => {
  it("Partition cuts links both ways, survives a restart, and Heal restores them", async () => {
    const s = suite({ cluster: 3 })
      .test("all connected", async (t) => {
        await t.GET(Node("n1"), "/peers").json("10\\.0\\.42\\.102:8080", Is("ok")).run();
      })
      .test("partitioned", async (t) => {
        await t.partition(["n1"], ["n2", "n3"]);
        const n1 = await t.fetch("n1", "/peers");
        assert.deepEqual(JSON.parse(n1!.body), { "10.0.42.102:8080": "unreachable", "10.0.42.103:8080": "unreachable" });
        const n2 = await t.fetch("n2", "/peers");
        assert.deepEqual(JSON.parse(n2!.body), { "10.0.42.101:8080": "unreachable", "10.0.42.103:8080": "ok" });
        // A restarted node comes back into the same partitioned network.
        await t.restart("n1", "SIGKILL");
        const again = await t.fetch("n1", "/peers");
        assert.deepEqual(JSON.parse(again!.body), { "10.0.42.102:8080": "unreachable", "10.0.42.103:8080": "unreachable" });
      })
      .test("healed", async (t) => {
        await t.heal();
        const n1 = await t.fetch("n1", "/peers");
        assert.deepEqual(JSON.parse(n1!.body), { "10.0.42.102:8080": "ok", "10.0.42.103:8080": "ok" });
      });
    const { result, results, events } = await run(s);
    assert.equal(result.passed, true, JSON.stringify(results, null, 2));
    const annotations = events().flatMap((e) => ("event" in e ? [`${e.node} ${e.event}`] : []));
    assert.ok(annotations.includes("n1 PARTITIONED FROM: n2, n3"));
    assert.ok(annotations.includes("n2 PARTITIONED FROM: n1"));
    assert.ok(annotations.includes("n3 PARTITION HEALED"));
  });
});
