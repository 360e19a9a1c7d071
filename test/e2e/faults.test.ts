import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Delay, Duplicate, Is, Loss, Node, Reorder, suite } from "../../src/attest/index.js";
import type { TestContext } from "../../src/attest/index.js";
import { detectCapabilities } from "../../src/runtimes/sandbox/capabilities.js";
import { packageRoot } from "../../src/util/packageRoot.js";
import { runSuiteLocally } from "./inProcess.js";

const caps = await detectCapabilities();
const skip = caps.sandbox.available ? false : `no network sandbox here: ${caps.sandbox.reason}`;
const delayMechanism = caps.netem.available || caps.packetQueue.available;
const skipLoss = skip || (caps.netem.available || caps.iptables.available ? false : `neither netem nor iptables here: ${caps.iptables.reason}`);
const skipDelay = skip || (delayMechanism ? false : `neither netem nor the packet queue here: ${caps.packetQueue.reason}`);

/** Milliseconds from `from` to each peer (a fresh connection and one request), null when unreachable. */
async function latency(t: TestContext, from: string): Promise<Record<string, number | null>> {
  const res = await t.fetch(from, "/latency");
  assert.ok(res, `${from} did not answer /latency`);
  return JSON.parse(res.body) as Record<string, number | null>;
}

async function timedGet(t: TestContext, node: string): Promise<number> {
  const started = performance.now();
  const res = await t.fetch(node, "/health");
  assert.equal(res?.status, 200);
  return performance.now() - started;
}
const server = `node ${join(packageRoot, "test", "fixtures", "peer-probe", "server.mjs")}`;

function run(s: ReturnType<typeof suite>, network?: "loopback") {
  return runSuiteLocally(s, { server, ...(network ? { network } : {}) });
}

describe("network faults in the sandbox", { skip }, () => {
  it("Partition cuts links both ways, survives a restart, and Heal restores them", async () => {
    const s = suite({ cluster: 3 })
      .test("all connected", async (t) => {
        await t.GET(Node("n1"), "/peers").json("10\\.0\\.42\\.102:8080", Is("ok")).run();
      })
      .test("partitioned", async (t) => {
        await t.partition(["n1"], ["n2", "n3"]);
        // A cut peer is silent, as behind a DROP rule: the probes wait out
        // their 300 ms timeout rather than fail at once.
        const probing = performance.now();
        const n1 = await t.fetch("n1", "/peers");
        assert.ok(performance.now() - probing >= 250, `probes of cut peers failed after ${Math.round(performance.now() - probing)} ms, not by timing out`);
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
    assert.ok(events.includes("n1 PARTITIONED FROM: n2, n3"));
    assert.ok(events.includes("n2 PARTITIONED FROM: n1"));
    assert.ok(events.includes("n3 PARTITION HEALED"));
  });

  it("Impair delays a node's outgoing packets, keeps doing so across a restart, and Repair removes it", { skip: skipDelay }, async () => {
    const n1 = "10.0.42.101:8080";
    const n3 = "10.0.42.103:8080";
    const s = suite({ cluster: 3, requestTimeout: "5s" })
      .test("delayed", async (t) => {
        await t.impair(Node("n1"), Delay(400));
        // n1's SYN to n2 waits, and so does n1's SYN-ACK to n2; n2 and n3 talk at full speed.
        const fromN1 = await latency(t, "n1");
        for (const ms of Object.values(fromN1)) assert.ok(ms !== null && ms >= 400, `n1 -> peers: ${JSON.stringify(fromN1)}`);
        const fromN2 = await latency(t, "n2");
        assert.ok(fromN2[n1]! >= 400, `n2 -> n1: ${JSON.stringify(fromN2)}`);
        assert.ok(fromN2[n3]! < 200, `n2 -> n3: ${JSON.stringify(fromN2)}`);
        // The harness sees it too: every answer n1 sends is late.
        assert.ok((await timedGet(t, "n1")) >= 400);
        await t.restart("n1", "SIGKILL");
        assert.ok((await timedGet(t, "n1")) >= 400, "the delay must survive a restart");
      })
      .test("repaired", async (t) => {
        await t.repair(Node("n1"));
        const fromN2 = await latency(t, "n2");
        assert.ok(fromN2[n1]! < 200, `n2 -> n1 after repair: ${JSON.stringify(fromN2)}`);
        assert.ok((await timedGet(t, "n1")) < 200);
      });
    const { result, results, events } = await run(s);
    assert.equal(result.passed, true, JSON.stringify(results, null, 2));
    assert.ok(events.includes("n1 IMPAIRED: packet delay 0.4s"), events.join("\n"));
    assert.ok(events.includes("n1 REPAIRED"));
  });

  it("Loss(100) silences a node, Heal leaves impairments alone, and Repair ends the loss", { skip: skipLoss }, async () => {
    const s = suite({ cluster: 2 })
      .test("lost", async (t) => {
        await t.impair(Node("n1"), Loss(100));
        const fromN2 = await t.fetch("n2", "/peers");
        assert.deepEqual(JSON.parse(fromN2!.body), { "10.0.42.101:8080": "unreachable" });
        await t.heal(); // heals partitions only, as in the public attest
        const still = await t.fetch("n2", "/peers");
        assert.deepEqual(JSON.parse(still!.body), { "10.0.42.101:8080": "unreachable" });
      })
      .test("repaired", async (t) => {
        await t.repair();
        const fromN2 = await t.fetch("n2", "/peers");
        assert.deepEqual(JSON.parse(fromN2!.body), { "10.0.42.101:8080": "ok" });
      });
    const { result, results } = await run(s);
    assert.equal(result.passed, true, JSON.stringify(results, null, 2));
  });

  it("Duplicate and Reorder apply with a delay and TCP traffic still gets through intact", { skip: skipDelay }, async () => {
    const s = suite({ cluster: 2, requestTimeout: "5s" }).test("impaired", async (t) => {
      await t.impair(t.allNodes(), Delay(50, 20), Duplicate(30), Reorder(30));
      for (let i = 0; i < 5; i++) {
        const fromN1 = await latency(t, "n1");
        assert.ok(fromN1["10.0.42.102:8080"] !== null, JSON.stringify(fromN1));
      }
      const body = Array.from({ length: 20_000 }, (_, i) => i.toString(36)).join(",");
      await t.PUT(Node("n1"), "/echo", body).status(Is(200)).body(Is(body)).run();
    });
    const { result, results, events } = await run(s);
    assert.equal(result.passed, true, JSON.stringify(results, null, 2));
    assert.ok(events.includes("n2 IMPAIRED: packet delay 0.05s ±0.02s, packet duplicate 30%, packet reorder 30%"), events.join("\n"));
  });
});

describe("a test that needs a fault the runtime cannot inject", () => {
  it("is skipped with the reason, and the tests around it still run", async () => {
    let ran = 0;
    const s = suite({ cluster: 1 })
      .test("before", async () => {
        ran++;
      })
      .test("delayed", async (t) => {
        await t.impair(Node("n1"), Delay(100));
      }, { needs: ["delay"] })
      .test("after", async () => {
        ran++;
      });
    assert.deepEqual(s.faultKinds, ["delay"]);
    const { result, results } = await run(s, "loopback");
    assert.equal(result.passed, true, JSON.stringify(results, null, 2));
    assert.equal(ran, 2);
    assert.deepEqual(results.map((r) => `${r.name}: ${r.status}`), ["before: passed", "delayed: skipped", "after: passed"]);
    assert.match(results[1]!.skipReason!, /^needs network delay, which this runtime cannot inject: CLSTR_NETWORK=loopback/);
  });
});
