import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";
import { pathToFileURL } from "node:url";
import { detectCapabilities } from "../../src/runtimes/sandbox/capabilities.js";
import { packageRoot } from "../../src/util/packageRoot.js";
import {
  CLI,
  challengeDir,
  clstrAsOnlyChild,
  iptablesRules,
  namedNetworkNamespaces,
  namespacesLeft,
  namespacesOf,
  processesIn,
  runTempDirs,
  SOLUTION_SERVER,
  startClstr,
  untilNothingLeft,
  waitFor,
} from "./harness.js";

// The run command starts the server as a grandchild (a shell that waits for
// it), so these tests also prove that the whole process group goes away.
const RUN = `node ${SOLUTION_SERVER} & wait`;
const caps = await detectCapabilities();
// Tests that run the CLI alone in a PID namespace need user namespaces.
const alone = caps.sandbox.available ? {} : { skip: `no user namespaces here: ${caps.sandbox.reason}` };

function clusterReady(dir: string): boolean {
  const log = join(dir, ".clstr", "logs", "run.jsonl");
  return existsSync(log) && readFileSync(log, "utf8").includes('"event":"TEST: ');
}

/**
 * Starts `clstr test` and returns once its first test has begun. The run is
 * wrapped: awaiting an execa process directly would wait for it to end.
 */
async function startUntilFirstTest(dir: string) {
  const run = startClstr(dir, "test");
  await waitFor("the first test to start", () => clusterReady(dir), 20_000).catch((err) => {
    run.kill("SIGKILL");
    throw err;
  });
  return { run };
}

/**
 * A gossip-glomers directory at `stage` whose node is the reference broadcast
 * node with one change many learners' nodes share: a timer keeps it alive
 * after its stdin closes, so it does not go away by itself with the CLI.
 */
function gossipDirWithLingeringNode(stage: string): string {
  const dir = mkdtempSync(join(tmpdir(), "clstr-gg-"));
  const lib = (file: string) => JSON.stringify(pathToFileURL(join(packageRoot, "solutions", "gossip-glomers", "dist", file)).href);
  writeFileSync(
    join(dir, "node.mjs"),
    [
      `import { MaelstromNode } from ${lib("maelstrom.js")};`,
      `import { broadcast } from ${lib("broadcast.js")};`,
      `const node = new MaelstromNode();`,
      `broadcast(node);`,
      `setInterval(() => {}, 1000);`,
      `await node.run();`,
      ``,
    ].join("\n"),
  );
  writeFileSync(join(dir, "clstr.yaml"), `challenge: gossip-glomers\nstage: ${stage}\nrun: ${process.execPath} node.mjs\n`);
  return dir;
}

/** Live processes in `dir` running the node script (not the CLI, not the reaper). */
function nodesIn(dir: string): number[] {
  return processesIn(dir).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes("node.mjs");
    } catch {
      return false; // gone while we looked
    }
  });
}

describe("nothing outlives a run", () => {
  it("after a pass", async () => {
    const dir = challengeDir({ run: RUN });
    const run = await startClstr(dir, "test");
    assert.equal(run.exitCode, 0, String(run.stdout));
    assert.deepEqual(processesIn(dir), []);
  });

  it("after Ctrl-C in the middle of a stage", async () => {
    const dir = challengeDir({ run: RUN, stage: "crash-recovery" });
    const { run } = await startUntilFirstTest(dir);
    assert.ok(processesIn(dir).length >= 2, "the node (shell and server) should be running");
    run.kill("SIGINT");
    const result = await run;
    assert.equal(result.exitCode, 130, `${String(result.stdout)}${String(result.stderr)}`);
    assert.match(String(result.stdout), /Interrupted/);
    assert.deepEqual(processesIn(dir), []);
  });

  it("no process it started is left, not even a zombie, after a pass", alone, async () => {
    const dir = challengeDir({ run: RUN, stage: "crash-recovery" });
    const r = await clstrAsOnlyChild(dir, ["test", "crash-recovery", "--so-far"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.leftovers, []);
  });

  it("no process it started is left, not even a zombie, after Ctrl-C", alone, async () => {
    const dir = challengeDir({ run: RUN, stage: "persistence" });
    const r = await clstrAsOnlyChild(dir, ["test"], { interruptAt: /✓ Data Survives a Graceful Restart/ });
    assert.equal(r.interrupted, true, r.stdout + r.stderr);
    assert.equal(r.code, 130, r.stdout + r.stderr);
    assert.deepEqual(r.leftovers, []);
  });

  it("no Maelstrom node is left, not even a zombie, after a gossip-glomers stage", alone, async () => {
    const dir = mkdtempSync(join(tmpdir(), "clstr-gg-"));
    const node = `${process.execPath} ${join(packageRoot, "solutions", "gossip-glomers", "dist", "main.js")}`;
    writeFileSync(join(dir, "clstr.yaml"), `challenge: gossip-glomers\nstage: unique-ids\nrun: ${node}\n`);
    const r = await clstrAsOnlyChild(dir, ["test"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(r.leftovers, []);
  });

  it("after the harness itself is killed (SIGKILL), nothing of the run is left: processes, namespaces, firewall rules, temporary folders", async () => {
    const before = { dirs: new Set(runTempDirs()), netns: await namedNetworkNamespaces(), rules: await iptablesRules(["10.0.42."]) };
    const dir = challengeDir({ run: RUN, stage: "crash-recovery" });
    const { run } = await startUntilFirstTest(dir);
    // What the run made: its processes (the sandbox's switch, the nodes' shells and servers) and the namespaces they are in.
    const namespaces = namespacesOf(processesIn(dir));
    if (caps.sandbox.available) {
      assert.ok(runTempDirs().some((d) => !before.dirs.has(d)), "the sandbox should have made its socket folder");
      assert.ok([...namespaces].filter((ns) => ns.startsWith("net:")).length >= 2, `the sandbox should have made network namespaces: ${[...namespaces].join(", ")}`);
    }
    run.kill("SIGKILL");
    await run;
    // The reaper notices the harness is gone, kills the nodes' and the switch's groups and removes the run's folders.
    // (Seconds, not milliseconds, only because a loaded 2-core CI machine may be slow to schedule it.)
    const left = await untilNothingLeft(async () => {
      const [netns, rules] = await Promise.all([namedNetworkNamespaces(), iptablesRules(["10.0.42."])]);
      return [
        ...processesIn(dir).map((pid) => `process ${pid}`),
        ...namespacesLeft(namespaces).map((ns) => `namespace ${ns}`),
        ...netns.filter((n) => !before.netns.includes(n)).map((n) => `named network namespace ${n}`),
        ...rules.filter((r) => !before.rules.includes(r)).map((r) => `iptables rule ${r}`),
        ...runTempDirs().filter((d) => !before.dirs.has(d)).map((d) => `temporary folder ${d}`),
      ];
    }, 10_000);
    assert.deepEqual(left, []);
  });

  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    it(`\`clstr maelstrom test\` stops its nodes on ${signal}, says so, and exits 130`, async () => {
      const dir = gossipDirWithLingeringNode("multi-node-broadcast");
      const run = execa(process.execPath, [CLI, "maelstrom", "test", "-w", "broadcast", "--bin", process.execPath, "node.mjs", "--node-count", "3", "--time-limit", "60"], {
        cwd: dir,
        reject: false,
        env: { NO_COLOR: "1" },
      });
      // The CLI's own command line names node.mjs too: count the others.
      await waitFor("the three nodes to run", () => nodesIn(dir).filter((pid) => pid !== run.pid).length === 3, 20_000).catch((err) => {
        run.kill("SIGKILL");
        throw err;
      });
      run.kill(signal);
      const r = await run;
      assert.equal(r.exitCode, 130, String(r.stdout) + String(r.stderr));
      assert.match(String(r.stdout), /Interrupted: every node was stopped\./);
      assert.deepEqual(processesIn(dir), []);
    });
  }

  it("after the harness itself is killed (SIGKILL) during a gossip-glomers stage", async () => {
    const dir = gossipDirWithLingeringNode("multi-node-broadcast");
    const run = startClstr(dir, "test");
    await waitFor("the five nodes to run", () => nodesIn(dir).length === 5, 20_000).catch((err) => {
      run.kill("SIGKILL");
      throw err;
    });
    run.kill("SIGKILL");
    await run;
    // The nodes' stdin is closed now, and these ones do not exit on that: the reaper kills their groups.
    // (Seconds, not milliseconds, only because a loaded 2-core CI machine may be slow to schedule it.)
    await waitFor("the node processes to go away", () => processesIn(dir).length === 0, 10_000);
  });
});
