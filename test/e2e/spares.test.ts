// Spares: nodes created with the cluster, started by a test to join it. On
// each runtime (the network sandbox, the loopback fallback, Docker) a tiny
// suite with `cluster: 3, spares: 2` runs in-process against a fixture that
// reports its environment: members' PEERS name only members; n4 runs only
// once the test starts it, then has its ADDR, PEERS empty and JOIN=true; it
// is reachable over the cluster's network, a partition made before it
// started holds once it starts, and the stage's end leaves nothing behind.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";
import { Node, suite } from "../../src/attest/index.js";
import type { TestContext } from "../../src/attest/context.js";
import { DEAD_MAC } from "../../src/faults/namespaceFaults.js";
import { DockerRuntime } from "../../src/runtimes/docker/dockerRuntime.js";
import { LocalRuntime } from "../../src/runtimes/local/localRuntime.js";
import type { Runtime } from "../../src/runtimes/runtime.js";
import { detectCapabilities } from "../../src/runtimes/sandbox/capabilities.js";
import { packageRoot } from "../../src/util/packageRoot.js";
import type { SuiteResult } from "../../src/util/verdict.js";
import { processesIn } from "./harness.js";
import { runSuiteOn } from "./inProcess.js";

const FIXTURE_DIR = join(packageRoot, "test", "fixtures", "spare-env");
const RUN = `node ${join(FIXTURE_DIR, "server.mjs")}`;
const MEMBERS = ["n1", "n2", "n3"];
const BASE = "clstr-base:local";

interface NodeEnv {
  ADDR: string;
  PEERS: string;
  JOIN: string | null;
  DATA_DIR: string;
}

async function envOf(t: TestContext, name: string): Promise<NodeEnv> {
  const r = await t.fetch(name, "/env");
  if (r?.status !== 200) t.fail(`${name} did not answer GET /env`);
  return JSON.parse(r.body) as NodeEnv;
}

/** What `from` sees when it asks `to`'s /health over the cluster's network: "ok" or "unreachable". */
async function reach(t: TestContext, from: string, to: string): Promise<string | undefined> {
  return (await t.fetch(from, `/fetch?addr=${t.address(to)}`))?.body;
}

/** Members know the other members and not the spares; n4 is created (it has an address) but not running. */
async function beforeTheSpareStarts(t: TestContext): Promise<void> {
  for (const name of MEMBERS) {
    const env = await envOf(t, name);
    assert.equal(env.ADDR, t.address(name));
    assert.equal(env.PEERS, MEMBERS.filter((m) => m !== name).map((m) => t.address(m)).join(","), `${name}'s PEERS`);
    assert.equal(env.JOIN, null, `${name} must not get JOIN`);
  }
  assert.deepEqual(t.nodes(), MEMBERS);
  assert.equal(await t.fetch("n4", "/env"), undefined, "n4 answered before it was started");
}

/** n4 started: its own address, no peers, JOIN=true, a data directory of its own. */
async function theSpareJoins(t: TestContext, addr: string | RegExp): Promise<NodeEnv> {
  await t.start("n4");
  const env = await envOf(t, "n4");
  if (typeof addr === "string") assert.equal(env.ADDR, addr);
  else assert.match(env.ADDR, addr);
  assert.equal(env.ADDR, t.address("n4"));
  assert.equal(env.PEERS, "");
  assert.equal(env.JOIN, "true");
  assert.notEqual(env.DATA_DIR, "");
  assert.deepEqual(t.nodes(), [...MEMBERS, "n4"]);
  return env;
}

/** A partition that names n4 before it starts holds once it starts (both ways), and heals like any other. */
async function partitionBeforeStart(t: TestContext, inNamespace?: (t: TestContext) => Promise<void>): Promise<void> {
  // No member probes n4 before it runs: its address would then be resolved
  // only at the kernel's next ARP retry (up to 1 s), as on any network.
  await t.partition(["n2"], ["n4"]);
  await theSpareJoins(t, "10.0.42.104:8080");
  assert.equal(await reach(t, "n1", "n4"), "ok", "a member cannot reach n4 over the cluster's network");
  assert.equal(await reach(t, "n4", "n1"), "ok", "n4 cannot reach a member over the cluster's network");
  assert.equal(await reach(t, "n2", "n4"), "unreachable", "the partition made before n4 started does not cut n2 from n4");
  assert.equal(await reach(t, "n4", "n2"), "unreachable", "the partition made before n4 started does not cut n4 from n2");
  await inNamespace?.(t);
  await t.heal(); // n5, never started, is healed too: harmless
  assert.equal(await reach(t, "n4", "n2"), "ok", "heal did not restore n4's link to n2");
  assert.equal(await reach(t, "n2", "n4"), "ok", "heal did not restore n2's link to n4");
}

/** The sandbox cuts by a neighbour entry in the node's own namespace: n4's was put there when it started. */
async function cutInN4sNamespace(t: TestContext): Promise<void> {
  const neigh = (await t.fetch("n4", "/neigh"))?.body ?? "";
  const host = t.address("n2").replace(/:\d+$/, "");
  assert.ok(neigh.split("\n").some((l) => l.startsWith(`${host} `) && l.includes(DEAD_MAC)), `no cut of n2 in n4's namespace:\n${neigh}`);
}

/** A workload's clients ask the nodes started so far (n4 among them), never a spare nobody started (n5 would refuse every call). */
async function workloadOnStartedNodes(t: TestContext): Promise<void> {
  const recording = await t.runWorkload({ clients: 3, durationMs: 400, keys: 2 });
  assert.deepEqual(recording.reasons, {}, "a call failed: the workload asked a node that is not running");
  assert.ok(Number((await t.fetch("n4", "/hits"))?.body) > 0, "the workload never asked n4, which was started");
}

/** A request to a spare nobody started says so. */
async function unstartedSpare(t: TestContext): Promise<void> {
  await t.GET(Node("n5"), "/health").run();
}

function spareSuite(body: (t: TestContext) => Promise<void>) {
  return suite({ cluster: 3, spares: 2, startupTimeout: "5s" }).test("Spares Join", body).test("An Unstarted Spare", unstartedSpare);
}

interface Run {
  result: SuiteResult;
  /** "node EVENT" of every lifecycle event, in order. */
  events: string[];
}

/** Runs the suite `stages` times on one runtime, as `--so-far` runs stages (a fresh cluster each), then closes the runtime. */
async function runOn(runtime: Runtime, s: ReturnType<typeof spareSuite>, dir: string, stages = 1): Promise<Run[]> {
  const runs: Run[] = [];
  try {
    for (let i = 0; i < stages; i++) runs.push(await runStage(runtime, s, join(dir, ".clstr", "logs", `stage-${i}.jsonl`)));
  } finally {
    await runtime.close();
  }
  return runs;
}

async function runStage(runtime: Runtime, s: ReturnType<typeof spareSuite>, logFile: string): Promise<Run> {
  const { result, events } = await runSuiteOn(runtime, s, logFile);
  return { result, events: events.filter((e) => e.endsWith(" START") || e.endsWith(" STOP")) };
}

/** The first test passed; the second failed on n5 with the reason; n4 was started once and stopped at the end, n5 never touched. */
function assertRun({ result, events }: Run): void {
  assert.equal(result.startupFailure, undefined, result.startupFailure?.message);
  assert.equal(result.tests[0]?.status, "passed", result.tests[0]?.failure);
  assert.equal(result.tests[1]?.status, "failed");
  assert.match(result.tests[1]!.failure!, /n5 is not running: it is a spare that no test has started yet \(start it with t\.start\("n5"\)\)\./);
  assert.deepEqual(events.filter((e) => e.startsWith("n4 ")), ["n4 START", "n4 STOP"]);
  assert.deepEqual(events.filter((e) => e.startsWith("n5 ")), []);
  assert.deepEqual(events.filter((e) => e.endsWith(" START")).sort(), ["n1 START", "n2 START", "n3 START", "n4 START"]);
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "clstr-spares-"));
}

const caps = await detectCapabilities();

describe("spares on the local runtime", () => {
  it("in the network sandbox: members' PEERS only members; n4 joins at 10.0.42.104 with PEERS empty and JOIN=true, cut by a partition made before it started; nothing is left", { skip: caps.sandbox.available ? false : `no network sandbox here: ${caps.sandbox.reason}` }, async () => {
    const dir = scratch();
    const runtime = await LocalRuntime.create({ cwd: dir, run: RUN, runDir: join(dir, ".clstr"), runId: randomUUID(), network: "sandbox" });
    const [run] = await runOn(
      runtime,
      spareSuite(async (t) => {
        assert.equal(t.address("n4"), "10.0.42.104:8080");
        assert.equal(t.address("n5"), "10.0.42.105:8080");
        await beforeTheSpareStarts(t);
        await partitionBeforeStart(t, cutInN4sNamespace);
        await workloadOnStartedNodes(t);
      }),
      dir,
    );
    assertRun(run!);
    assert.deepEqual(processesIn(dir), [], "processes left behind");
  });

  it("on loopback addresses (CLSTR_NETWORK=loopback): n4 gets a loopback address of its own, PEERS empty and JOIN=true", async () => {
    const dir = scratch();
    const runtime = await LocalRuntime.create({ cwd: dir, run: RUN, runDir: join(dir, ".clstr"), runId: randomUUID(), network: "loopback" });
    const [run] = await runOn(
      runtime,
      spareSuite(async (t) => {
        await beforeTheSpareStarts(t);
        const env = await theSpareJoins(t, /^127\.\d+\.\d+\.\d+:\d+$/);
        assert.ok(!MEMBERS.map((m) => t.address(m)).includes(env.ADDR), "n4 shares a member's address");
        assert.equal(await reach(t, "n1", "n4"), "ok");
      }),
      dir,
    );
    assertRun(run!);
    assert.deepEqual(processesIn(dir), [], "processes left behind");
  });
});

async function dockerReady(): Promise<string | false> {
  const info = await execa("docker", ["info", "--format", "{{.ServerVersion}}"], { reject: false });
  if (info.exitCode !== 0) return `no Docker daemon answers (${String(info.stderr).split("\n")[0] || "docker not installed"}); run \`npm run docker:setup\``;
  const base = await execa("docker", ["image", "inspect", BASE], { reject: false });
  if (base.exitCode !== 0) return `the local base image ${BASE} is missing; run \`npm run docker:setup\``;
  return false;
}

/** Our containers and volumes on the engine, and the network. */
async function dockerObjects(): Promise<string[]> {
  const lines = async (args: string[]) => String((await execa("docker", args, { reject: false })).stdout).split("\n").map((l) => l.trim()).filter(Boolean);
  return [
    ...(await lines(["ps", "-a", "--format", "{{.Names}}", "--filter", "name=^clstr-kv-store-"])).map((n) => `container ${n}`),
    ...(await lines(["volume", "ls", "-q", "--filter", "name=clstr-kv-store-"])).map((n) => `volume ${n}`),
    ...(await lines(["network", "ls", "--format", "{{.Name}}", "--filter", "name=^clstr-net$"])).map((n) => `network ${n}`),
  ];
}

describe("spares on the Docker runtime", { skip: await dockerReady() }, () => {
  it("members' PEERS only members; n4's container is created at its start, at 10.0.42.104 with PEERS empty and JOIN=true, cut by a partition made before it started; the same again in a second stage on the same runtime (as --so-far); nothing is left", async () => {
    const dir = scratch();
    cpSync(join(FIXTURE_DIR, "server.mjs"), join(dir, "server.mjs"));
    writeFileSync(join(dir, "Dockerfile"), `FROM ${BASE}\nWORKDIR /app\nCOPY server.mjs ./\nENTRYPOINT ["node", "server.mjs"]\n`);
    const runtime = await DockerRuntime.create({ cwd: dir, challenge: "kv-store", runId: randomUUID(), notice: () => {} });
    const runs = await runOn(
      runtime,
      spareSuite(async (t) => {
        const containers = await dockerObjects();
        // Every node's namespace holder is there; a spare's own container is not, until it starts.
        for (const n of ["n1", "n2", "n3", "n4", "n5"]) assert.ok(containers.includes(`container clstr-kv-store-${n}-net`), `no holder for ${n}: ${containers.join(", ")}`);
        assert.ok(!containers.includes("container clstr-kv-store-n4"), "n4's container exists before its start");
        await beforeTheSpareStarts(t);
        await partitionBeforeStart(t);
        assert.ok(!(await dockerObjects()).includes("container clstr-kv-store-n5"), "n5's container exists, never started");
      }),
      dir,
      2,
    );
    assert.equal(runs.length, 2);
    for (const run of runs) assertRun(run);
    assert.deepEqual(await dockerObjects(), [], "engine objects left behind");
  });
});
