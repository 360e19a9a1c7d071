// Maelstrom engine benchmarks. Run after `npm run build`.
//
//   node scripts/bench-maelstrom.mjs [seconds=5]
//     Messages routed per second and engine CPU per message, for echo and
//     broadcast at growing node counts and rates, against the reference nodes.
//
//   node scripts/bench-maelstrom.mjs --unthrottled [--seconds 5] [--quick] [--old-checker] [--profile]
//     The engine against the floor of its design (issue 17), with a tiny fast
//     echo node (bench/fastnode.c, compiled with `cc` when there is one, else
//     bench/fastnode.mjs) so that the engine is what is measured:
//     - the bare-router floor: a Node process that only parses and writes the
//       same JSON lines over the same pipes to the same nodes, with clients
//       closed-loop, in the same run, twice: writing each message (the floor
//       as issue 17 states it, 208,000-235,000 msgs per CPU-second) and with
//       one write per node per turn (batched, as the engine writes: a
//       stricter bar); the engine's messages per CPU-second against each
//       (the ratios);
//     - the goal rows of issue 17 (saturated echo, 100,000/s with 1,000
//       clients, one client at --latency 0, broadcast 20 s at 1,000/s, kafka);
//     - a growth table: messages per engine-CPU-second against rate, nodes
//       and run length;
//     - the broadcast checker's time for 5/10/20 s runs at 1,000/s (with
//       --old-checker, the quadratic checker's time on the same histories).
//     --profile: the saturated echo run under --cpu-prof, its top functions.
//
//   node scripts/bench-maelstrom.mjs --timeline [--seconds 10]
//     The saturated echo run (5 nodes, 40,000/s, 300 clients) with the engine's
//     CPU per half second, and both routers' figures measured just before: the
//     fixed costs (JIT compiling and unoptimized code at the start, stopping
//     the nodes and the checkers at the end) apart from the steady state.
//
//   node scripts/bench-maelstrom.mjs --memory [--quick]
//     Memory kept per operation (the history and what the result holds) for
//     echo, lin-kv (the Python proxy node of the tests) and kafka (the
//     reference node), 10 and 30 s runs.
//     Each run is a child process, so its CPU (process.cpuUsage: the engine
//     and checkers), the nodes' CPU (reaped children) and its peak RSS are its own.
//     Prints Markdown for docs/benchmarks.md, with the load average.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(import.meta.dirname, "..");
const reference = join(root, "solutions", "gossip-glomers", "dist", "main.js");
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};

/** CPU seconds of this process's reaped children (the nodes), from /proc/self/stat (cutime + cstime). */
function childrenCpuS() {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100; // fields 16, 17 of proc(5); clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

/** The tiny fast node: the C one when a compiler is installed, else the Node one. */
function fastNode() {
  const out = join(mkdtempSync(join(tmpdir(), "clstr-fastnode-")), "fastnode");
  for (const cc of ["cc", "gcc", "clang"]) {
    try {
      execFileSync(cc, ["-O2", "-o", out, join(root, "bench", "fastnode.c")], { stdio: "ignore" });
      return { bin: out, args: [], kind: `C (${cc} -O2)` };
    } catch {
      // next compiler, or the Node node
    }
  }
  return { bin: process.execPath, args: [join(root, "bench", "fastnode.mjs")], kind: "Node" };
}

// ---------------------------------------------------------------- children

/** One engine run, in this (child) process; prints its figures as JSON. */
async function engineChild(spec) {
  const { runTest } = await import(pathToFileURL(join(root, "dist", "src", "maelstrom", "engine.js")).href);
  const kids0 = childrenCpuS();
  const cpu0 = process.cpuUsage();
  // --timeline: the engine's CPU in buckets of about half a second (each with its own wall time), the first from the
  // start to when the clients start (spawning and initializing the nodes), the last from the end of the main phase on.
  const timeline = [];
  let mark = { cpu: cpu0, at: performance.now() };
  const sample = () => {
    const c = process.cpuUsage(mark.cpu);
    const at = performance.now();
    timeline.push({ cpuMs: (c.user + c.system) / 1000, wallMs: at - mark.at });
    mark = { cpu: process.cpuUsage(), at };
  };
  let ticker;
  const result = await runTest({
    ...(spec.timeline ? { onEvent: (what) => what.startsWith("clients started") && (sample(), (ticker = setInterval(sample, 500))) } : {}),
    workload: spec.workload, bin: spec.bin, args: spec.args, cwd: root,
    nodeCount: spec.nodeCount, timeLimitS: spec.seconds, rate: spec.rate, concurrency: spec.concurrency,
    latencyMs: spec.latencyMs ?? 0, latencyDist: "constant", nemesis: [], nemesisIntervalS: 10, topology: "grid",
    storeDir: mkdtempSync(join(tmpdir(), "clstr-bench-")), recoveryS: 2,
  });
  const cpu = process.cpuUsage(cpu0);
  if (ticker) {
    clearInterval(ticker);
    sample(); // the last bucket: what was left of the main phase, then the end of the run (stopping the nodes, the checkers)
  }
  await new Promise((r) => setTimeout(r, 200)); // let the nodes be reaped
  const figures = {
    msgs: result.net.all.msgCount,
    ops: result.history.filter((o) => !o.final).length,
    okOps: result.history.filter((o) => !o.final && o.outcome === "ok").length,
    wallS: result.durationMs / 1000,
    engineCpuS: (cpu.user + cpu.system) / 1e6,
    nodesCpuS: childrenCpuS() - kids0,
    peakRssMB: process.resourceUsage().maxRSS / 1024, // before the checker timings below
    valid: result.valid,
    problem: result.problems[0],
    ...(spec.timeline ? { timeline } : {}),
  };
  if (spec.workload === "broadcast") {
    const { checkBroadcast } = await import(pathToFileURL(join(root, "dist", "src", "maelstrom", "workloads", "broadcast.js")).href);
    const nodes = result.nodes;
    const reads = result.history.filter((o) => o.f === "read" && o.outcome === "ok");
    figures.readElements = reads.reduce((s, o) => s + (typeof o.reply?.messages === "object" ? (o.reply.messages?.length ?? 0) : 0), 0);
    figures.broadcasts = result.history.filter((o) => o.f === "broadcast").length;
    let t = performance.now();
    checkBroadcast(result.history, nodes); // the checker proper (the engine also ran it, and stableLatencies, inside the run)
    figures.checkerS = (performance.now() - t) / 1000;
    if (spec.oldChecker) {
      const oracle = join(root, "dist", "test", "unit", "maelstromCheckerOracles.js");
      if (existsSync(oracle)) {
        const { oldCheckGrowingSet } = await import(pathToFileURL(oracle).href);
        // The old checker takes a read's elements as a JSON array; the run keeps them compact (a typed list): a copy with arrays, made before the clock starts.
        const history = result.history.map((o) => (o.f === "read" && ArrayBuffer.isView(o.reply?.messages) ? { ...o, reply: { ...o.reply, messages: Array.from(o.reply.messages) } } : o));
        t = performance.now();
        const verdict = oldCheckGrowingSet(history, nodes, { add: "broadcast", element: "message", elements: "messages", noun: "broadcast value" });
        figures.oldCheckerS = (performance.now() - t) / 1000;
        figures.oldCheckerValid = verdict.valid;
      }
    }
  }
  process.stdout.write(JSON.stringify(figures) + "\n");
  process.exit(0);
}

/**
 * The bare router: spawn the nodes, init them, and keep `concurrency` echo
 * requests in flight for `seconds`, parsing every reply (JSON.parse) and
 * writing every request (JSON.stringify). No network model, no history, no
 * checker: what an engine could route over these pipes at best. With
 * `spec.unbatched` it writes each message as it goes (the floor as issue 17
 * gives it); without, one write per node per event-loop turn, as the engine
 * writes (a stricter bar).
 */
async function floorChild(spec) {
  const nodes = Array.from({ length: spec.nodeCount }, (_, i) => `n${i}`);
  const procs = nodes.map((id) => spawn(spec.bin, spec.args, { stdio: ["pipe", "pipe", "ignore"] }));
  const outbox = nodes.map(() => "");
  let flushQueued = false;
  const flush = () => {
    flushQueued = false;
    for (let i = 0; i < procs.length; i++) {
      if (outbox[i]) {
        procs[i].stdin.write(outbox[i]);
        outbox[i] = "";
      }
    }
  };
  const send = (i, message) => {
    if (spec.unbatched) {
      procs[i].stdin.write(JSON.stringify(message) + "\n");
      return;
    }
    outbox[i] += JSON.stringify(message) + "\n";
    if (!flushQueued) {
      flushQueued = true;
      setImmediate(flush);
    }
  };
  let msgs = 0;
  let running = false;
  let nextId = 0;
  let inited = 0;
  const request = (client) => {
    const i = client % nodes.length;
    send(i, { src: `c${client}`, dest: nodes[i], body: { type: "echo", echo: `Please echo ${client}-${nextId}`, msg_id: ++nextId } });
    msgs++;
  };
  let started = 0;
  let cpu0;
  const done = new Promise((resolve) => {
    procs.forEach((p, i) => {
      let rest = "";
      p.stdout.setEncoding("utf8");
      p.stdout.on("data", (chunk) => {
        const lines = (rest + chunk).split("\n");
        rest = lines.pop();
        for (const line of lines) {
          const m = JSON.parse(line);
          if (m.body.type === "init_ok") {
            if (++inited === nodes.length) {
              running = true;
              cpu0 = process.cpuUsage();
              started = performance.now();
              for (let c = 0; c < spec.concurrency; c++) request(c);
              setTimeout(() => {
                running = false;
                resolve();
              }, spec.seconds * 1000);
            }
            continue;
          }
          msgs++;
          if (running) request(Number(m.dest.slice(1)));
        }
      });
    });
  });
  nodes.forEach((id, i) => send(i, { src: "c0", dest: id, body: { type: "init", node_id: id, node_ids: nodes, msg_id: 1 } }));
  await done;
  const cpu = process.cpuUsage(cpu0);
  const wallS = (performance.now() - started) / 1000;
  for (const p of procs) p.kill();
  process.stdout.write(JSON.stringify({ msgs, wallS, cpuS: (cpu.user + cpu.system) / 1e6, peakRssMB: process.resourceUsage().maxRSS / 1024 }) + "\n");
  process.exit(0);
}

/**
 * Memory kept per operation: one run, then the heap that stays with its
 * result held (after a full GC, so garbage is not counted), less the heap
 * before the run. Run under --expose-gc.
 */
async function memoryChild(spec) {
  const { runTest } = await import(pathToFileURL(join(root, "dist", "src", "maelstrom", "engine.js")).href);
  globalThis.gc();
  const heap0 = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const result = await runTest({
    workload: spec.workload, bin: spec.bin, args: spec.args, cwd: root,
    nodeCount: spec.nodeCount, timeLimitS: spec.seconds, rate: spec.rate, concurrency: spec.concurrency,
    latencyMs: spec.latencyMs ?? 0, latencyDist: "constant", nemesis: [], nemesisIntervalS: 10, topology: "grid",
    storeDir: mkdtempSync(join(tmpdir(), "clstr-bench-")), recoveryS: 5,
  });
  globalThis.gc();
  const kept = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heap0;
  const ops = result.history.length;
  process.stdout.write(JSON.stringify({ ops, msgs: result.net.all.msgCount, keptMB: kept / 2 ** 20, bytesPerOp: kept / ops, peakRssMB: process.resourceUsage().maxRSS / 1024, valid: result.valid, problem: result.problems[0] }) + "\n");
  process.exit(0);
}

if (args[0] === "--child") await engineChild(JSON.parse(args[1]));
if (args[0] === "--memchild") await memoryChild(JSON.parse(args[1]));
if (args[0] === "--floor") await floorChild(JSON.parse(args[1]));

/** Runs one spec in a child process and returns its figures (with `profileDir`, under --cpu-prof). */
function inChild(mode, spec, profileDir) {
  return new Promise((resolve, reject) => {
    const prof = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : mode === "--memchild" ? ["--expose-gc"] : [];
    const p = spawn(process.execPath, [...prof, fileURLToPath(import.meta.url), mode, JSON.stringify(spec)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.on("exit", (code) => {
      const line = out.trim().split("\n").pop();
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`${mode} ${JSON.stringify(spec)} exited ${code}: ${out.slice(-500)}`));
      }
    });
  });
}

/** The top self-time functions of the .cpuprofile in dir, as "share% function (file:line)". */
function profileSummary(dir, top = 10) {
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) return [];
  const p = JSON.parse(readFileSync(join(dir, file), "utf8"));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  p.samples.forEach((id, i) => {
    const f = byId.get(id).callFrame;
    const key = `${f.functionName || "(anonymous)"} (${f.url ? `${f.url.replace(/^.*\/(dist|node_modules)\//, "")}:${f.lineNumber + 1}` : "native"})`;
    self.set(key, (self.get(key) ?? 0) + p.timeDeltas[i]);
    total += p.timeDeltas[i];
  });
  return [...self].sort((a, b) => b[1] - a[1]).filter(([k]) => !k.startsWith("(idle)")).slice(0, top).map(([k, t]) => `${((100 * t) / total).toFixed(1)}% ${k}`);
}

// ---------------------------------------------------------------- the reference table (default mode)

async function referenceTable(seconds) {
  const runs = [
    { workload: "echo", nodeCount: 1, rate: 1000, concurrency: 8 },
    { workload: "echo", nodeCount: 5, rate: 5000, concurrency: 40 },
    { workload: "broadcast", nodeCount: 5, rate: 1000, concurrency: 20 },
    { workload: "broadcast", nodeCount: 25, rate: 100, concurrency: 50, latencyMs: 100 },
    { workload: "broadcast", nodeCount: 25, rate: 1000, concurrency: 50 },
  ];
  console.log(`engine: Node ${process.version}, ${seconds}s per run`);
  for (const r of runs) {
    const f = await inChild("--child", { ...r, bin: process.execPath, args: [reference, r.workload], seconds });
    console.log(
      `${r.workload.padEnd(9)} ${String(r.nodeCount).padStart(2)} nodes ${String(r.rate).padStart(5)}/s${r.latencyMs ? ` ${r.latencyMs}ms` : "      "}: ` +
        `${String(f.msgs).padStart(7)} msgs in ${f.wallS.toFixed(1)}s = ${Math.round(f.msgs / f.wallS).toString().padStart(6)} msgs/s; ` +
        `engine CPU ${f.engineCpuS.toFixed(2)}s = ${((f.engineCpuS * 1e6) / f.msgs).toFixed(1)} µs/msg (${Math.round(f.msgs / f.engineCpuS)} msgs per engine-CPU-second); valid ${f.valid}`,
    );
  }
}

// ---------------------------------------------------------------- unthrottled mode

const fmt = (n) => Math.round(n).toLocaleString("en-US");

/** The bare router's figures (a child process) on 5 fast nodes with 300 requests in flight: writing each message, or batched. */
const bareRouter = (fast, seconds, unbatched) => inChild("--floor", { bin: fast.bin, args: fast.args, nodeCount: 5, concurrency: 300, seconds, unbatched });
const load = () => loadavg().map((l) => l.toFixed(2)).join(", ");

async function unthrottled() {
  const seconds = Number(option("--seconds", 5));
  const quick = flag("--quick");
  const fast = fastNode();
  console.log(`# bench:maelstrom --unthrottled: Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), ${seconds}s runs, fast node ${fast.kind}`);
  console.log(`load average at start: ${load()}\n`);
  const echo = (nodeCount, rate, concurrency, s = seconds, extra = {}) => ({ workload: "echo", bin: fast.bin, args: fast.args, nodeCount, rate, concurrency, seconds: s, ...extra });
  const row = (f) => ({
    perCpu: f.msgs / f.engineCpuS,
    usPerMsg: (f.engineCpuS * 1e6) / f.msgs,
    nodeUsPerMsg: (f.nodesCpuS * 1e6) / f.msgs,
    opsPerS: f.okOps / f.wallS,
  });

  // The floor and the saturated echo run, measured back to back.
  const floor = await bareRouter(fast, seconds, false);
  const floorPerCpu = floor.msgs / floor.cpuS;
  const unbatched = await bareRouter(fast, seconds, true);
  const profileDir = flag("--profile") ? mkdtempSync(join(tmpdir(), "clstr-bench-prof-")) : undefined;
  const sat = await inChild("--child", echo(5, 40_000, 300), profileDir);
  const s = row(sat);
  console.log("## Engine against the bare router (echo, 5 nodes, 300 clients)\n");
  console.log("| measure | msgs | wall s | CPU s | msgs per CPU-second | µs CPU per msg | node µs per msg | peak RSS MB | verdict |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---|");
  console.log(`| bare router writing each message (the issue's floor) | ${fmt(unbatched.msgs)} | ${unbatched.wallS.toFixed(1)} | ${unbatched.cpuS.toFixed(2)} | ${fmt(unbatched.msgs / unbatched.cpuS)} | ${((unbatched.cpuS * 1e6) / unbatched.msgs).toFixed(2)} | | ${unbatched.peakRssMB.toFixed(0)} | |`);
  console.log(`| bare router, batched: one write per node per turn (a stricter bar) | ${fmt(floor.msgs)} | ${floor.wallS.toFixed(1)} | ${floor.cpuS.toFixed(2)} | ${fmt(floorPerCpu)} | ${((floor.cpuS * 1e6) / floor.msgs).toFixed(2)} | | ${floor.peakRssMB.toFixed(0)} | |`);
  console.log(`| engine, 40,000/s offered | ${fmt(sat.msgs)} | ${sat.wallS.toFixed(1)} | ${sat.engineCpuS.toFixed(2)} | ${fmt(s.perCpu)} | ${s.usPerMsg.toFixed(2)} | ${s.nodeUsPerMsg.toFixed(2)} | ${sat.peakRssMB.toFixed(0)} | ${sat.valid} |`);
  // Issue 17 states its floor as 208,000-235,000 msgs per CPU-second: what the router writing each message measures here (the batched one measures 1.5-3 times that).
  const unbatchedRatio = (s.perCpu * unbatched.cpuS) / unbatched.msgs;
  console.log(`\n**ratio engine / bare router writing each message (the issue's floor, 208,000-235,000 msgs per CPU-second in the issue): ${unbatchedRatio.toFixed(3)}** (goal ≥ 0.4: ${unbatchedRatio >= 0.4 ? "met" : "not met"})`);
  console.log(`ratio engine / batched bare router (a stricter bar: one write per node per turn, as the engine writes): ${(s.perCpu / floorPerCpu).toFixed(3)}\n`);
  if (profileDir) {
    console.log("Profile of the engine's run (self time, whole process, --cpu-prof):\n");
    for (const line of profileSummary(profileDir)) console.log(`- ${line}`);
    console.log("");
  }

  // The other goal rows of issue 17.
  console.log("## Goal rows (issue 17)\n");
  console.log("| run | ops/s reached | msgs per engine-CPU-second | µs engine CPU per msg | peak RSS MB | verdict |");
  console.log("|---|---:|---:|---:|---:|---|");
  const goal = async (name, spec) => {
    const f = await inChild("--child", spec);
    const r = row(f);
    console.log(`| ${name} | ${fmt(r.opsPerS)} | ${fmt(r.perCpu)} | ${r.usPerMsg.toFixed(2)} | ${f.peakRssMB.toFixed(0)} | ${f.valid}${f.valid === true ? "" : `: ${String(f.problem).slice(0, 80)}`} |`);
    return f;
  };
  await goal("echo, 5 nodes, 100,000/s, 1,000 clients", echo(5, 100_000, 1000));
  await goal("echo, 1 node, one client, --latency 0", echo(1, 100_000, 1));
  await goal("kafka (reference node), 2 nodes, 1,000/s, 4 clients", { workload: "kafka", bin: process.execPath, args: [reference, "kafka"], nodeCount: 2, rate: 1000, concurrency: 4, seconds });

  // Growth: messages per engine-CPU-second against rate, nodes and run length.
  console.log("\n## Growth (echo, fast node): messages per engine-CPU-second\n");
  console.log("| vary | nodes | offered/s | clients | run s | msgs | msgs/s | msgs per engine-CPU-s | µs/msg | peak RSS MB | verdict |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  const growth = async (vary, spec) => {
    const f = await inChild("--child", spec);
    const r = row(f);
    console.log(`| ${vary} | ${spec.nodeCount} | ${fmt(spec.rate)} | ${spec.concurrency} | ${spec.seconds} | ${fmt(f.msgs)} | ${fmt(f.msgs / f.wallS)} | ${fmt(r.perCpu)} | ${r.usPerMsg.toFixed(2)} | ${f.peakRssMB.toFixed(0)} | ${f.valid} |`);
  };
  for (const rate of quick ? [1000, 40_000] : [1000, 10_000, 40_000, 100_000]) await growth("rate", echo(5, rate, rate >= 100_000 ? 1000 : 300));
  for (const n of quick ? [1, 25] : [1, 10, 25]) await growth("nodes", echo(n, 40_000, 300));
  for (const len of quick ? [10] : [10, 20]) await growth("length", echo(5, 40_000, 300, len));

  // The broadcast checker against run length.
  console.log("\n## Broadcast checker time against run length (reference node, 5 nodes, 1,000/s, 20 clients)\n");
  const old = flag("--old-checker");
  console.log(`| run s | broadcasts | elements in reads | checker s (linear) |${old ? " checker s (old, quadratic) |" : ""} engine CPU s (whole run, with the linear checker) | peak RSS MB (whole run) | verdict |`);
  console.log(`|---:|---:|---:|---:|${old ? "---:|" : ""}---:|---:|---|`);
  for (const len of quick ? [5, 10] : [5, 10, 20]) {
    const f = await inChild("--child", { workload: "broadcast", bin: process.execPath, args: [reference, "broadcast"], nodeCount: 5, rate: 1000, concurrency: 20, seconds: len, oldChecker: old });
    console.log(`| ${len} | ${fmt(f.broadcasts)} | ${fmt(f.readElements)} | ${f.checkerS.toFixed(3)} |${old ? ` ${f.oldCheckerS?.toFixed(2) ?? "-"}${f.oldCheckerValid === false ? " (it found the history invalid)" : ""} |` : ""} ${f.engineCpuS.toFixed(2)} | ${f.peakRssMB.toFixed(0)} | ${f.valid} |`);
  }
  console.log(`\nload average at end: ${load()}`);
}

// ---------------------------------------------------------------- memory per operation

async function memory() {
  const fast = fastNode();
  const python = ["python3", "python"].find((p) => {
    try {
      execFileSync(p, ["--version"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  });
  console.log(`# bench:maelstrom --memory: Node ${process.version}, ${cpus().length} CPUs; heap kept with the run's result after a full GC, less the heap before it`);
  console.log(`load average at start: ${load()}\n`);
  console.log("| workload | node | nodes | offered/s | clients | run s | operations | messages | kept MB | bytes per operation | peak RSS MB | verdict |");
  console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  const runs = [
    { name: "echo", node: `fast (${fast.kind})`, spec: { workload: "echo", bin: fast.bin, args: fast.args, nodeCount: 5, rate: 5000, concurrency: 50 } },
    ...(python ? [{ name: "lin-kv", node: "proxy to the lin-kv service (test fixture)", spec: { workload: "lin-kv", bin: python, args: [join(root, "test", "fixtures", "maelstrom", "python", "lin_kv_proxy.py")], nodeCount: 3, rate: 1000, concurrency: 6 } }] : []),
    { name: "kafka", node: "reference (lin-kv based)", spec: { workload: "kafka", bin: process.execPath, args: [reference, "kafka"], nodeCount: 2, rate: 1000, concurrency: 4 } },
  ];
  for (const r of runs) {
    for (const seconds of flag("--quick") ? [10] : [10, 30]) {
      const f = await inChild("--memchild", { ...r.spec, seconds });
      console.log(`| ${r.name} | ${r.node} | ${r.spec.nodeCount} | ${fmt(r.spec.rate)} | ${r.spec.concurrency} | ${seconds} | ${fmt(f.ops)} | ${fmt(f.msgs)} | ${f.keptMB.toFixed(1)} | ${fmt(f.bytesPerOp)} | ${f.peakRssMB.toFixed(0)} | ${f.valid}${f.valid === true ? "" : `: ${String(f.problem).slice(0, 80)}`} |`);
    }
  }
  console.log(`\nload average at end: ${load()}`);
}

/** The saturated echo run's CPU per half second: fixed costs apart from the steady state. */
async function timelineMode() {
  const seconds = Number(option("--seconds", 10));
  const fast = fastNode();
  console.log(`# bench:maelstrom --timeline: Node ${process.version}, ${cpus().length} CPUs, fast node ${fast.kind}, ${seconds} s at 40,000/s`);
  console.log(`load average at start: ${load()}\n`);
  const routerUs = async (unbatched) => {
    const r = await bareRouter(fast, 5, unbatched);
    return (r.cpuS * 1e6) / r.msgs;
  };
  const unbatchedUs = await routerUs(true);
  const floorUs = await routerUs(false);
  const f = await inChild("--child", { workload: "echo", bin: fast.bin, args: fast.args, nodeCount: 5, rate: 40_000, concurrency: 300, seconds, timeline: true });
  const [startUp, ...rest] = f.timeline;
  const main = rest.slice(0, -1);
  const end = rest.at(-1);
  const perMs = f.msgs / (seconds * 1000); // messages a ms in the main phase (the rate is steady; echo has no final phase)
  const usPerMsg = (b) => (b.cpuMs * 1000) / (b.wallMs * perMs);
  // The steady state: the buckets from the third second of the main phase on.
  let t = 0;
  const steady = main.filter((b) => (t += b.wallMs) > 2000).map(usPerMsg).sort((a, b) => a - b);
  const median = steady[Math.floor(steady.length / 2)] ?? NaN;
  const whole = (f.engineCpuS * 1e6) / f.msgs;
  console.log(`start-up (spawning and initializing the nodes): ${startUp.cpuMs.toFixed(0)} ms CPU in ${startUp.wallMs.toFixed(0)} ms`);
  console.log(`main phase, engine CPU ms per bucket (wall ms): ${main.map((b) => `${b.cpuMs.toFixed(0)} (${b.wallMs.toFixed(0)})`).join(" ")}`);
  console.log(`the rest of the main phase and the end of the run (stopping the nodes, the checkers): ${end.cpuMs.toFixed(0)} ms CPU in ${end.wallMs.toFixed(0)} ms`);
  console.log(`${fmt(f.msgs)} messages in ${seconds} s; whole run ${whole.toFixed(2)} µs a message`);
  console.log(`steady state (median bucket from the third second on): ${median.toFixed(2)} µs a message`);
  console.log(`bare router writing each message (the issue's floor; 5 s, closed loop, just before): ${unbatchedUs.toFixed(2)} µs a message`);
  console.log(`ratio engine / that router: whole run ${(unbatchedUs / whole).toFixed(3)}, steady state ${(unbatchedUs / median).toFixed(3)}`);
  console.log(`batched bare router (stricter; just before): ${floorUs.toFixed(2)} µs a message`);
  console.log(`ratio engine / batched router: whole run ${(floorUs / whole).toFixed(3)}, steady state ${(floorUs / median).toFixed(3)}`);
  console.log(`\nload average at end: ${load()}`);
}

if (flag("--memory")) await memory();
else if (flag("--timeline")) await timelineMode();
else if (flag("--unthrottled")) await unthrottled();
else await referenceTable(Number(args[0] ?? 5));
