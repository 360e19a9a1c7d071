import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";
import { packageRoot } from "../../src/util/packageRoot.js";
import { detectCapabilities } from "../../src/runtimes/sandbox/capabilities.js";
import { randomUUID } from "node:crypto";
import {
  CLI,
  clstr,
  clstrAsOnlyChild,
  clstrWithEnv,
  interfacesMentioning,
  iptablesRules,
  namedNetworkNamespaces,
  namespacesLeft,
  namespacesOf,
  parseReport,
  processesIn,
  runTempDirs,
  SOLUTION,
  startClstr,
  summary,
  untilNothingLeft,
  waitFor,
} from "./harness.js";
import { existsSync, readdirSync, readFileSync } from "node:fs";

// The Docker runtime on a real engine. `npm run setup:test` brings one up;
// without it these tests skip with the reason, which `npm test` counts as a
// failure.
const BASE = "clstr-base:local";

async function dockerReady(): Promise<string | false> {
  const info = await execa("docker", ["info", "--format", "{{.ServerVersion}}"], { reject: false });
  if (info.exitCode !== 0) return `no Docker daemon answers (${String(info.stderr).split("\n")[0] || "docker not installed"}); run \`npm run docker:setup\``;
  const base = await execa("docker", ["image", "inspect", BASE], { reject: false });
  if (base.exitCode !== 0) return `the local base image ${BASE} is missing; run \`npm run docker:setup\``;
  return false;
}

/** Per stage, the first line each node printed when the stage booted its cluster (starts during tests excluded). */
function firstLinesPerStage(logFile: string): string[][] {
  const entries = readFileSync(logFile, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { t: number; node: string; event?: string; msg?: string })
    .sort((a, b) => a.t - b.t);
  const stages: string[][] = [];
  let booting = new Map<string, string | undefined>(); // nodes started since the last test began
  for (const e of entries) {
    if (e.event?.startsWith("TEST: ")) booting = new Map();
    else if (e.event === "START") booting.set(e.node, undefined);
    else if (e.event === "CLUSTER READY") {
      stages.push([...booting.values()].map((m) => m ?? "(nothing)"));
      booting = new Map();
    } else if (e.msg !== undefined && booting.has(e.node) && booting.get(e.node) === undefined) booting.set(e.node, e.msg);
  }
  return stages;
}

/** A copy of the reference solution in a directory of its own, at `stage`. */
function referenceCopy(stage: string): string {
  const dir = mkdtempSync(join(tmpdir(), "clstr-docker-"));
  for (const f of ["dist", "package.json", "Dockerfile"]) cpSync(join(SOLUTION, f), join(dir, f), { recursive: true });
  writeFileSync(join(dir, "clstr.yaml"), `challenge: kv-store\nstage: ${stage}\nruntime: docker\n`);
  return dir;
}

/** Starts `clstr test` in `dir` and returns once its first test has begun. */
async function startUntilFirstTest(dir: string, ...args: string[]) {
  const log = join(dir, ".clstr", "logs", "run.jsonl");
  rmSync(log, { force: true }); // a previous run's log already names tests
  const run = startClstr(dir, "test", ...args);
  await waitFor("the first test to start", () => existsSync(log) && readFileSync(log, "utf8").includes('"event":"TEST: '), 60_000).catch((err) => {
    run.kill("SIGKILL");
    throw err;
  });
  return { run };
}

function describeProcess(pid: number): string {
  try {
    return `process ${pid}: ${readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim()}`;
  } catch {
    return `process ${pid}`;
  }
}

/** The ids of the node containers (and their namespace holders) on the engine; the stage itself kills and restarts them, never recreates them. */
async function nodeContainers(): Promise<string[]> {
  const r = await execa("docker", ["ps", "-a", "--filter", "name=^clstr-kv-store-", "--format", "{{.ID}} {{.Names}}"]);
  return String(r.stdout).split("\n").filter(Boolean).sort();
}

/** A copy of the reference solution whose image has no shell: nothing can hold its nodes' network namespaces. */
function referenceWithoutShell(): string {
  const dir = mkdtempSync(join(tmpdir(), "clstr-docker-"));
  cpSync(join(SOLUTION, "dist"), join(dir, "dist"), { recursive: true });
  cpSync(join(SOLUTION, "package.json"), join(dir, "package.json"));
  const rm = ["/bin/sh", "/usr/bin/sh", "/bin/dash", "/usr/bin/dash"].map((p) => `require('fs').rmSync('${p}', { force: true })`).join("; ");
  writeFileSync(
    join(dir, "Dockerfile"),
    `FROM ${BASE}\nRUN ["node", "-e", "${rm}"]\nWORKDIR /app\nCOPY package.json ./\nCOPY dist ./dist\nENTRYPOINT ["node", "dist/server.js"]\n`,
  );
  writeFileSync(join(dir, "clstr.yaml"), "challenge: kv-store\nstage: persistence\nruntime: docker\n");
  return dir;
}

const notReady = await dockerReady();
const skip = notReady;
// Tests that run the CLI alone in a PID namespace need user namespaces.
const caps = await detectCapabilities();
const alone = skip ? { skip } : caps.sandbox.available ? {} : { skip: `no user namespaces here: ${caps.sandbox.reason}` };

/** Our containers, volumes and networks still on the engine. */
async function leftovers(): Promise<string[]> {
  const lines = async (args: string[]) =>
    String((await execa("docker", args, { reject: false })).stdout)
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
  return [
    ...(await lines(["ps", "-a", "--format", "{{.Names}}", "--filter", "name=^clstr-kv-store-"])).map((n) => `container ${n}`),
    ...(await lines(["volume", "ls", "-q", "--filter", "name=clstr-kv-store-"])).map((n) => `volume ${n}`),
    ...(await lines(["network", "ls", "--format", "{{.Name}}", "--filter", "name=^clstr-net$"])).map((n) => `network ${n}`),
  ];
}

/** What is on the machine before a run, to compare with what is left after it. */
async function machineBefore() {
  return { rules: await iptablesRules(["10.0.42."]), netns: await namedNetworkNamespaces(), dirs: new Set(runTempDirs()) };
}

/** What a live run made besides engine objects: its containers' namespaces and its network's bridge (with the rules and veths that name it). */
interface Footprint {
  namespaces: Set<string>;
  bridges: Set<string>;
  containers: number;
}

/**
 * Watches the run's containers and network while it runs, gathering their
 * namespaces and bridge; `stop()` returns what it saw.
 */
function watchFootprint(): { stop(): Promise<Footprint> } {
  const seen: Footprint = { namespaces: new Set(), bridges: new Set(), containers: 0 };
  let stopped = false;
  const lines = async (args: string[]) =>
    String((await execa("docker", args, { reject: false })).stdout)
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
  const look = async () => {
    const ids = await lines(["ps", "-q", "--filter", "name=^clstr-kv-store-"]);
    seen.containers = Math.max(seen.containers, ids.length);
    const pids = ids.length > 0 ? (await lines(["inspect", "--format", "{{.State.Pid}}", ...ids])).map(Number).filter((p) => p > 0) : [];
    for (const ns of namespacesOf(pids)) seen.namespaces.add(ns);
    for (const id of await lines(["network", "ls", "-q", "--no-trunc", "--filter", "name=^clstr-net$"])) seen.bridges.add(`br-${id.slice(0, 12)}`);
  };
  const polling = (async () => {
    while (!stopped) {
      await look();
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await polling;
      return seen;
    },
  };
}

/**
 * Everything of the run still on this machine: engine objects, processes in
 * its directory, its containers' namespaces, named network namespaces,
 * iptables rules for its subnet or bridge and the bridge's interfaces that
 * were not there before, and temporary folders.
 */
async function everythingLeft(dir: string, before: Awaited<ReturnType<typeof machineBefore>>, seen: Footprint): Promise<string[]> {
  const bridges = [...seen.bridges];
  const [engine, netns, rules, links] = await Promise.all([leftovers(), namedNetworkNamespaces(), iptablesRules(["10.0.42.", ...bridges]), interfacesMentioning(bridges)]);
  return [
    ...engine,
    ...processesIn(dir).map(describeProcess),
    ...namespacesLeft(seen.namespaces).map((ns) => `namespace ${ns}`),
    ...netns.filter((n) => !before.netns.includes(n)).map((n) => `named network namespace ${n}`),
    ...rules.filter((r) => !before.rules.includes(r)).map((r) => `iptables rule ${r}`),
    ...links.map((l) => `interface ${l}`),
    ...runTempDirs().filter((d) => !before.dirs.has(d)).map((d) => `temporary folder ${d}`),
  ];
}

/** Processes anywhere on the machine whose command line holds `text`. */
function processesWith(text: string): string[] {
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)
    .flatMap((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
        return cmd.includes(text) ? [`process ${pid}: ${cmd}`] : [];
      } catch {
        return []; // gone while we looked
      }
    });
}

/** A challenge directory whose image runs a broken variant (compiled, with the reference modules it imports). */
function brokenImageDir(variant: string, stage: string): string {
  const dir = mkdtempSync(join(tmpdir(), "clstr-docker-"));
  const dist = join(packageRoot, "dist");
  cpSync(join(dist, "solutions", "kv-store", "src"), join(dir, "app", "solutions", "kv-store", "src"), { recursive: true });
  cpSync(join(dist, "test", "broken", "kv-store", variant), join(dir, "app", "test", "broken", "kv-store", variant), { recursive: true });
  writeFileSync(join(dir, "app", "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    join(dir, "Dockerfile"),
    `FROM ${BASE}\nWORKDIR /app\nCOPY app /app\nENTRYPOINT ["node", "test/broken/kv-store/${variant}/server.js"]\n`,
  );
  writeFileSync(join(dir, "clstr.yaml"), `challenge: kv-store\nstage: ${stage}\nruntime: docker\n`);
  return dir;
}

function imageDir(dockerfile: string, stage = "http-api"): string {
  const dir = mkdtempSync(join(tmpdir(), "clstr-docker-"));
  writeFileSync(join(dir, "Dockerfile"), dockerfile);
  writeFileSync(join(dir, "clstr.yaml"), `challenge: kv-store\nstage: ${stage}\n`);
  return dir;
}

describe("the Docker runtime", { skip }, () => {
  it("runs the reference through every stage up to leader-election and removes everything after", async () => {
    const r = await clstr(SOLUTION, "test", "leader-election", "--so-far", "--runtime", "docker", "--reporter", "json");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = parseReport(r.stdout) as ReturnType<typeof parseReport> & { runtime: string };
    assert.match(report.runtime, /^docker \(Docker [^,]+, network clstr-net on 10\.0\.42\.0\/24\)$/);
    assert.deepEqual(summary(report).stages, ["http-api: passed", "persistence: passed", "crash-recovery: passed", "leader-election: passed"]);
    const election = report.stages[3]!.tests as { name: string; status: string; skipReason?: string }[];
    for (const t of election) {
      // Only impairments the engine's kernel cannot make may be skipped, and they say why.
      if (t.status === "skipped") assert.match(t.skipReason!, /^needs network (delay|duplicate|reorder), which this runtime cannot inject: .*sch_netem/);
      else assert.equal(t.status, "passed", t.name);
    }
    // Each stage starts with empty volumes, however much the stage before wrote.
    const firstLines = firstLinesPerStage(join(SOLUTION, ".clstr", "logs", "run.jsonl"));
    assert.deepEqual(firstLines.map((nodes) => nodes.length), [1, 1, 1, 5]);
    for (const line of firstLines.flat()) assert.match(line, /^Recovered a log of 0 entries after it, 0 known committed /);
    assert.deepEqual(await leftovers(), []);
  });

  it("leaves no process behind, not even a zombie, after a pass and after Ctrl-C", alone, async () => {
    const passed = await clstrAsOnlyChild(SOLUTION, ["test", "persistence", "--runtime", "docker"]);
    assert.equal(passed.code, 0, passed.stdout + passed.stderr);
    assert.deepEqual(passed.leftovers, []);
    assert.deepEqual(await leftovers(), []);
    const stopped = await clstrAsOnlyChild(SOLUTION, ["test", "crash-recovery", "--runtime", "docker"], { interruptAt: /✓ Data Survives a Hard Crash/ });
    assert.ok(stopped.interrupted, stopped.stdout + stopped.stderr);
    assert.equal(stopped.code, 130, stopped.stdout + stopped.stderr);
    assert.deepEqual(stopped.leftovers, []);
    assert.deepEqual(await leftovers(), []);
  });

  it("runs an image without a shell, each node then with a network namespace of its own", async () => {
    const dir = referenceWithoutShell();
    const r = await clstr(dir, "test", "--so-far", "--reporter", "json");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(summary(parseReport(r.stdout)).stages, ["http-api: passed", "persistence: passed"]);
    const shell = await execa("docker", ["run", "--rm", "--entrypoint", "sh", "clstr-kv-store", "-c", "true"], { reject: false });
    assert.equal(shell.exitCode, 127, "the image should really have no shell");
    assert.deepEqual(await leftovers(), []);
  });

  it("kills for real: a server that saves only on SIGTERM fails crash-recovery, at the same test as on the local runtime", async () => {
    const dir = brokenImageDir("write-behind", "crash-recovery");
    const r = await clstr(dir, "test", "--so-far", "--reporter", "json");
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const s = summary(parseReport(r.stdout));
    assert.deepEqual(s.stages, ["http-api: passed", "persistence: passed", "crash-recovery: failed"]);
    assert.equal(s.failedTest, "Data Survives a Hard Crash");
    assert.deepEqual(await leftovers(), []);
  });

  it("removes leftovers of an interrupted run, says so, and runs", async () => {
    // What a crashed run leaves: the network and a running node container.
    await execa("docker", ["network", "create", "--subnet", "10.0.42.0/24", "clstr-net"]);
    await execa("docker", ["run", "-d", "--name", "clstr-kv-store-n1", "--network", "clstr-net", "--ip", "10.0.42.101", "--entrypoint", "node", BASE, "-e", "setInterval(() => {}, 1e6)"]);
    await execa("docker", ["volume", "create", "clstr-kv-store-n1-data"]);
    const r = await clstr(SOLUTION, "test", "http-api", "--runtime", "docker");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /^clstr: removed leftovers of an earlier run: container clstr-kv-store-n1, volume clstr-kv-store-n1-data, network clstr-net$/m);
    assert.deepEqual(await leftovers(), []);
  });

  it("after Ctrl-C in the middle of a stage, nothing of the run remains", async () => {
    const log = join(SOLUTION, ".clstr", "logs", "run.jsonl");
    rmSync(log, { force: true }); // the previous run's log already names tests
    const run = startClstr(SOLUTION, "test", "crash-recovery", "--runtime", "docker");
    await waitFor("the first test to start", () => existsSync(log) && readFileSync(log, "utf8").includes('"event":"TEST: '), 60_000).catch((err) => {
      run.kill("SIGKILL");
      throw err;
    });
    run.kill("SIGINT");
    const result = await run;
    assert.equal(result.exitCode, 130, `${String(result.stdout)}${String(result.stderr)}`);
    assert.deepEqual(await leftovers(), []);
  });

  it("a second run in another directory refuses at once, naming the first, whose containers are untouched", async () => {
    const first = referenceCopy("crash-recovery");
    const second = referenceCopy("http-api");
    const { run } = await startUntilFirstTest(first);
    const before = await nodeContainers();
    assert.ok(before.some((c) => / clstr-kv-store-n1$/.test(c)), `the first run's node should be up: ${before.join("; ")}`);
    const refused = await clstr(second, "test");
    const after = await nodeContainers();
    const result = await run;
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.equal(refused.stdout, "", "refused before any stage starts");
    assert.match(
      refused.stderr.trim(),
      new RegExp(`^clstr: Another clstr run \\(PID ${run.pid} in ${first.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}( on [^)]+)?\\) is using the Docker network clstr-net; wait for it to finish or stop it \\(\`kill ${run.pid}\`\\), then run again\\.$`),
    );
    assert.doesNotMatch(refused.stderr, /removed leftovers/);
    assert.deepEqual(after, before, "the second run must not touch the first run's containers");
    assert.equal(result.exitCode, 0, `${String(result.stdout)}${String(result.stderr)}`);
    assert.deepEqual(await leftovers(), []);
  });

  it("after the CLI is killed (SIGKILL) mid-run, nothing of the run is left: containers, volumes, network, namespaces, iptables rules, interfaces, processes, temporary folders", async () => {
    const before = await machineBefore();
    const dir = referenceCopy("crash-recovery");
    const watching = watchFootprint();
    const { run } = await startUntilFirstTest(dir);
    assert.ok((await leftovers()).some((l) => l.startsWith("container ")), "the run's containers should be up");
    assert.ok(processesIn(dir).length > 1, "the run's docker processes should be running");
    const seen = await watching.stop();
    assert.ok([...seen.namespaces].some((ns) => ns.startsWith("net:")), `the run's containers should have network namespaces: ${[...seen.namespaces].join(", ")}`);
    const rulesDuring = await iptablesRules([...seen.bridges]);
    assert.ok(rulesDuring.length > 0, `Docker should have added iptables rules for the run's bridge ${[...seen.bridges].join(", ")}`);
    run.kill("SIGKILL");
    await run;
    // Within a few seconds: the reaper's work, and no `docker logs --follow` (or any docker process the run started) left.
    assert.deepEqual(await untilNothingLeft(() => everythingLeft(dir, before, seen), 10_000), []);
    // Nothing comes back (a `docker run` in flight at the kill): the reaper (its folder is the run's) looked twice before it went.
    assert.deepEqual(await everythingLeft(dir, before, seen), []);
  });

  it("after the CLI is killed (SIGKILL) while the image builds, the build stops: no `docker build` process or build step is left", async () => {
    const before = await machineBefore();
    const step = randomUUID(); // a step the engine has never cached
    const dir = imageDir(`FROM ${BASE}\nRUN echo ${step} && node -e "setTimeout(() => {}, 30000)"\n`); // the base image has no sleep
    const run = startClstr(dir, "test", "--runtime", "docker");
    await waitFor("the build's slow step to run", () => processesWith(step).some((p) => !p.includes("docker build")), 60_000).catch((err) => {
      run.kill("SIGKILL");
      throw err;
    });
    assert.ok(processesWith("docker build").length > 0, "the build should be in flight");
    run.kill("SIGKILL");
    await run;
    const left = await untilNothingLeft(
      async () => [...processesWith("docker build"), ...processesWith(step), ...(await everythingLeft(dir, before, { namespaces: new Set(), bridges: new Set(), containers: 0 }))],
      10_000,
    );
    assert.deepEqual(left, []);
  });

  for (const how of ["SIGHUP", "a closed pipe"] as const) {
    it(`after ${how === "SIGHUP" ? "SIGHUP (a closed terminal)" : "`clstr test | head -1`"} mid-run, nothing of the run is left`, async () => {
      const before = await machineBefore();
      const dir = referenceCopy("crash-recovery");
      const log = join(dir, ".clstr", "logs", "run.jsonl");
      const watching = watchFootprint();
      let exitCode: number | undefined;
      if (how === "SIGHUP") {
        const { run } = await startUntilFirstTest(dir);
        run.kill("SIGHUP");
        exitCode = (await run).exitCode;
        assert.equal(exitCode, 130, "stopped as by Ctrl-C");
      } else {
        // The reader takes the first line, then goes away once the first test has begun: the CLI's next line meets a closed pipe.
        const reader = `{ head -1; i=0; until grep -qs '"event":"TEST: ' "${log}" || [ $i -ge 600 ]; do sleep 0.1; i=$((i+1)); done; }`;
        const r = await execa("sh", ["-c", `"${process.execPath}" "${CLI}" test 2>stderr.txt | ${reader}`], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
        assert.equal(r.stdout, "Testing crash-recovery: Data Survives SIGKILL");
        const stderr = readFileSync(join(dir, "stderr.txt"), "utf8");
        assert.doesNotMatch(stderr, /EPIPE|Error|at /, stderr);
      }
      const seen = await watching.stop();
      assert.ok(seen.containers > 0, "the run's containers should have been up when it was stopped");
      assert.deepEqual(await untilNothingLeft(() => everythingLeft(dir, before, seen), 10_000), []);
    });
  }

  it("of two runs started at the same moment in two directories, exactly one runs (and passes), the other refuses naming it", async () => {
    const dirs = [referenceCopy("http-api"), referenceCopy("http-api")];
    const runs = dirs.map((d) => startClstr(d, "test"));
    const results = await Promise.all(runs);
    const refused = results.findIndex((r) => r.exitCode === 2);
    const ran = 1 - refused;
    assert.notEqual(refused, -1, results.map((r) => `${r.exitCode}: ${String(r.stdout)}${String(r.stderr)}`).join("\n---\n"));
    assert.equal(results[ran]!.exitCode, 0, `${String(results[ran]!.stdout)}${String(results[ran]!.stderr)}`);
    assert.equal(results[refused]!.stdout, "", "refused before any stage starts");
    assert.match(
      String(results[refused]!.stderr).trim(),
      new RegExp(`^clstr: Another clstr run \\(PID ${runs[ran]!.pid} in ${dirs[ran]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}( on [^)]+)?\\) is using the Docker network clstr-net; wait for it to finish or stop it \\(\`kill ${runs[ran]!.pid}\`\\), then run again\\.$`),
    );
    assert.deepEqual(await leftovers(), []);
  });

  it("a failing image build shows its output and starts no container", async () => {
    const dir = imageDir(`FROM ${BASE}\nRUN echo "compiling server" && exit 3\n`);
    const r = await clstr(dir, "test", "--runtime", "docker");
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /The Docker image build failed \(exit code \d+\); fix the Dockerfile or the build \(its output is below\) and run again\./);
    assert.match(r.stdout, /compiling server/);
    assert.deepEqual(await leftovers(), []);
  });

  it("a node that never becomes healthy fails with its last log lines", async () => {
    const dir = imageDir(`FROM ${BASE}\nENTRYPOINT ["node", "-e", "console.log('warming up the cache'); setInterval(() => {}, 1000)"]\n`);
    const r = await clstr(dir, "test", "--runtime", "docker");
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /warming up the cache/);
    assert.deepEqual(await leftovers(), []);
  });

  it("a daemon that does not answer, and no docker at all, are one sentence each", async () => {
    const down = await clstrWithEnv(SOLUTION, { DOCKER_HOST: "unix:///nonexistent/docker.sock" }, "test", "--runtime", "docker");
    assert.equal(down.code, 2);
    assert.match(down.stderr.trim(), /^clstr: The Docker daemon is not answering \(.*\); start it .*or use `--runtime local`\.$/);
    const emptyPath = mkdtempSync(join(tmpdir(), "clstr-path-"));
    const none = await clstrWithEnv(SOLUTION, { PATH: emptyPath }, "test", "--runtime", "docker");
    assert.equal(none.code, 2);
    assert.equal(none.stderr.trim(), "clstr: Docker is not installed here (no `docker` on PATH); install Docker (on Debian: `npm run docker:setup`), or use `--runtime local`.");
  });

  it("a subnet taken by another network is one sentence naming it", async () => {
    await execa("docker", ["network", "create", "--subnet", "10.0.42.0/24", "someone-elses-net"]);
    try {
      const r = await clstr(SOLUTION, "test", "http-api", "--runtime", "docker");
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /The subnet 10\.0\.42\.0\/24 is already used by another Docker network \(someone-elses-net\); remove it \(`docker network rm someone-elses-net`\) and run again\./);
    } finally {
      await execa("docker", ["network", "rm", "someone-elses-net"], { reject: false });
    }
    assert.deepEqual(await leftovers(), []);
  });
});
