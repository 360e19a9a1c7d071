import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { suite } from "../../src/attest/index.js";
import { expectLinearizableUnderFaults } from "../../src/challenges/kv-store/raftChecks.js";
import type { NetworkFaults } from "../../src/faults/mechanisms.js";
import { NamespaceFaults, type NodeNamespace } from "../../src/faults/namespaceFaults.js";
import { LocalRuntime } from "../../src/runtimes/local/localRuntime.js";
import type { Runtime } from "../../src/runtimes/runtime.js";
import { detectCapabilities } from "../../src/runtimes/sandbox/capabilities.js";
import { packageRoot } from "../../src/util/packageRoot.js";
import { SOLUTION_SERVER } from "./harness.js";
import { runSuiteLocally } from "./inProcess.js";

// A partition proves it took effect by the fault mechanism's own count of
// the packets it dropped: the sandbox bridge's sink port for neighbour
// cuts, the DROP rules' counters for iptables cuts. A cut that does nothing
// counts nothing, and the Raft stages fail the run for it.

const caps = await detectCapabilities();
const skip = caps.sandbox.available ? false : `no network sandbox here: ${caps.sandbox.reason}`;
const skipIptables = skip || (caps.iptables.available ? false : `no iptables in the sandbox here: ${caps.iptables.reason}`);
const PROBE = `node ${join(packageRoot, "test", "fixtures", "peer-probe", "server.mjs")}`;

type Rewire = (faults: NetworkFaults) => NetworkFaults;

/** The runtime with its faults replaced (once per set of nodes) by `rewire`'s. */
function withFaults(runtime: LocalRuntime, rewire: Rewire): Runtime {
  const made = new WeakMap<NetworkFaults, NetworkFaults>();
  return new Proxy(runtime, {
    get(target, prop) {
      if (prop === "faults") {
        const real = target.faults;
        if (!real) return undefined;
        if (!made.has(real)) made.set(real, rewire(real));
        return made.get(real);
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Cuts that do nothing, with every other part (and the counter) real: a fault mechanism that silently fails. */
const noopCuts: Rewire = (real) => ({
  mechanisms: real.mechanisms,
  cut: async () => {},
  heal: (node) => real.heal(node),
  impair: (node, imps) => real.impair(node, imps),
  repair: (node) => real.repair(node),
  droppedByCuts: () => real.droppedByCuts!(),
});

/** Cuts by iptables DROP rules (the Docker runtime's mechanism) in the sandbox's namespaces. */
const iptablesCuts: Rewire = (real) => {
  const ns = (real as unknown as { ns: NodeNamespace }).ns;
  return new NamespaceFaults(ns, real.mechanisms, { kind: "netem" }, "iptables");
};

function run(s: ReturnType<typeof suite>, opts: { server?: string; rewire?: Rewire; seed?: number } = {}) {
  const rewire = opts.rewire;
  return runSuiteLocally(s, {
    server: opts.server ?? PROBE,
    network: "sandbox",
    ...(rewire ? { wrap: (local: LocalRuntime) => withFaults(local, rewire) } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed, stage: "log-replication" } : {}),
  });
}

/** Every node asks every peer's /health: traffic between all of them. */
async function probeAll(t: Parameters<Parameters<ReturnType<typeof suite>["test"]>[1]>[0]): Promise<void> {
  for (const node of t.nodes()) assert.ok(await t.fetch(node, "/peers"), `${node} did not answer /peers`);
}

/** The suite behind the counting tests: quiet traffic, then a partition of nodes that talk, then traffic again. */
function countingSuite(seen: { quiet?: number | undefined; healed?: number | undefined; total?: number | undefined; after?: number | undefined }) {
  return suite({ cluster: 3, settle: "200ms" })
    .test("no partition", async (t) => {
      await probeAll(t);
      // A restart brings a new namespace and a new port on the bridge: it must not count either.
      await t.restart("n2", "SIGKILL");
      await probeAll(t);
      seen.quiet = await t.partitionDrops();
    })
    .test("partitioned", async (t) => {
      await t.partition(["n1"], ["n2", "n3"]);
      await probeAll(t);
      seen.healed = await t.heal();
      seen.total = await t.partitionDrops();
    })
    .test("healed", async (t) => {
      await probeAll(t);
      seen.after = await t.partitionDrops();
    });
}

describe("a partition counts the packets it dropped", { skip }, () => {
  it("on the sandbox: nothing without a partition, packets of nodes that talk while cut, in t.heal and the log", async () => {
    const seen: Parameters<typeof countingSuite>[0] = {};
    const { result, results, events } = await run(countingSuite(seen));
    assert.equal(result.passed, true, JSON.stringify(results, null, 2));
    assert.equal(seen.quiet, 0, "no partition, no drops: the sink must see nothing else (ARP, multicast, a restart)");
    assert.ok(seen.healed !== undefined && seen.healed > 0, `a partition of nodes that talk dropped ${seen.healed} packets`);
    assert.equal(seen.total, seen.healed, "the test's count is the partition's");
    assert.equal(seen.after, 0, "after the heal, traffic counts nothing");
    const healed = events.find((e) => /^\*\* PARTITION HEALED \(\d+ packets dropped\)$/.test(e));
    assert.equal(healed, `** PARTITION HEALED (${seen.healed} packets dropped)`, events.join("\n"));
    assert.ok(events.includes("n3 PARTITION HEALED"), "each node's heal is still logged");
  });

  it("with iptables cuts (Docker's mechanism) in the sandbox: the DROP rules' counters", { skip: skipIptables }, async () => {
    const seen: Parameters<typeof countingSuite>[0] = {};
    const { result, results, events } = await run(countingSuite(seen), { rewire: iptablesCuts });
    assert.equal(result.passed, true, JSON.stringify(results, null, 2));
    assert.equal(seen.quiet, 0);
    assert.ok(seen.healed !== undefined && seen.healed > 0, `a partition of nodes that talk dropped ${seen.healed} packets`);
    assert.equal(seen.total, seen.healed);
    assert.equal(seen.after, 0);
    assert.ok(events.includes(`** PARTITION HEALED (${seen.healed} packets dropped)`), events.join("\n"));
  });

  it("a cut that does nothing counts nothing", async () => {
    const seen: Parameters<typeof countingSuite>[0] = {};
    const { result, results, events } = await run(countingSuite(seen), { rewire: noopCuts });
    // The probes get through, so the fixture's answers do not tell; the count does.
    assert.equal(result.passed, true, JSON.stringify(results, null, 2));
    assert.equal(seen.healed, 0);
    assert.ok(events.includes("** PARTITION HEALED (0 packets dropped)"), events.join("\n"));
  });

  it("the Raft stages fail a run whose partitions dropped nothing, as clstr's problem", async () => {
    // Seed 5 schedules partitions in this 8 s workload (asserted below by the message).
    const s = suite({ cluster: 5, settle: "3s", requestTimeout: "3s" }).test("Linearizable Under Crashes and Partitions", (t) =>
      expectLinearizableUnderFaults(t, 8_000),
    );
    const { result, results } = await run(s, { server: `node ${SOLUTION_SERVER}`, rewire: noopCuts, seed: 5 });
    assert.equal(result.passed, false, JSON.stringify(results, null, 2));
    const failure = JSON.stringify(results);
    assert.match(failure, /partitioned the cluster \d+ time\(s\), yet the partitions dropped no packets/);
    assert.match(failure, /This is clstr's problem, not your server's: the fault mechanism did nothing\. Run clstr doctor and report it\./);
  });
});
