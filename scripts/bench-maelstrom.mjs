// Messages routed per second and engine CPU per message, for echo and
// broadcast at growing node counts and rates, against the reference nodes.
// The engine runs in this process, so process.cpuUsage() is the engine's
// own CPU (nodes are separate processes). Usage: node scripts/bench-maelstrom.mjs [seconds=5]
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTest } from "../dist/src/maelstrom/engine.js";

const seconds = Number(process.argv[2] ?? 5);
const node = join(import.meta.dirname, "..", "solutions", "gossip-glomers", "dist", "main.js");
const runs = [
  { workload: "echo", nodeCount: 1, rate: 1000, concurrency: 8 },
  { workload: "echo", nodeCount: 5, rate: 5000, concurrency: 40 },
  { workload: "broadcast", nodeCount: 5, rate: 1000, concurrency: 20 },
  { workload: "broadcast", nodeCount: 25, rate: 100, concurrency: 50, latencyMs: 100 },
  { workload: "broadcast", nodeCount: 25, rate: 1000, concurrency: 50 },
];
console.log(`engine: Node ${process.version}, ${seconds}s per run`);
for (const r of runs) {
  const cpu0 = process.cpuUsage();
  const result = await runTest({
    workload: r.workload, bin: process.execPath, args: [node, r.workload], cwd: process.cwd(),
    nodeCount: r.nodeCount, timeLimitS: seconds, rate: r.rate, concurrency: r.concurrency,
    latencyMs: r.latencyMs ?? 0, latencyDist: "constant", nemesis: [], nemesisIntervalS: 10, topology: "grid",
    storeDir: mkdtempSync(join(tmpdir(), "clstr-bench-")), recoveryS: 2,
  });
  const cpu = process.cpuUsage(cpu0);
  const msgs = result.net.all.msgCount;
  const wall = result.durationMs / 1000;
  const cpuUs = cpu.user + cpu.system;
  console.log(
    `${r.workload.padEnd(9)} ${String(r.nodeCount).padStart(2)} nodes ${String(r.rate).padStart(5)}/s${r.latencyMs ? ` ${r.latencyMs}ms` : "      "}: ` +
      `${String(msgs).padStart(7)} msgs in ${wall.toFixed(1)}s = ${Math.round(msgs / wall).toString().padStart(6)} msgs/s; ` +
      `engine CPU ${(cpuUs / 1e6).toFixed(2)}s = ${(cpuUs / msgs).toFixed(1)} µs/msg (${Math.round(msgs / (cpuUs / 1e6))} msgs per engine-CPU-second); valid ${result.valid}`,
  );
}
