// Runs a stage N times in a row against the reference solution and counts
// passes: a stage that passes the reference must pass it every time.
// Usage: node scripts/soak.mjs [runs=10] [stage=crash-recovery] [solution=kv-store]
// (solution: a folder of solutions/, e.g. gossip-glomers for efficient-kafka)
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const runs = Number(process.argv[2] ?? 10);
const stage = process.argv[3] ?? "crash-recovery";
const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "src", "cli", "main.js");
const cwd = join(root, "solutions", process.argv[4] ?? "kv-store");

let passed = 0;
const times = [];
for (let i = 1; i <= runs; i++) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [cli, "test", stage, "--so-far", "--reporter", "json"], { cwd, encoding: "utf8" });
  const seconds = (Date.now() - t0) / 1000;
  times.push(seconds);
  const ok = r.status === 0;
  if (ok) passed++;
  console.log(`run ${i}: ${ok ? "passed" : "FAILED"} in ${seconds.toFixed(1)}s${stageTimes(r.stdout)}`);
  if (!ok) console.log(failures(r.stdout) ?? (r.stdout || r.stderr));
}
times.sort((a, b) => a - b);
console.log(`${passed} passed, ${runs - passed} failed (${stage} --so-far; median ${times[Math.floor(runs / 2)].toFixed(1)}s)`);
process.exit(passed === runs ? 0 : 1);

/** " (http-api 1.2s, persistence 15.0s, ...)" from the JSON report, or "" when it cannot be read. */
function stageTimes(stdout) {
  const report = parse(stdout);
  if (!report?.stages) return "";
  return ` (${report.stages.map((s) => `${s.stage} ${(s.durationMs / 1000).toFixed(1)}s`).join(", ")})`;
}

/** The failed tests with their messages and replay commands, or undefined when the report cannot be read. */
function failures(stdout) {
  const report = parse(stdout);
  if (!report?.stages) return undefined;
  return report.stages
    .flatMap((s) => s.tests.filter((t) => t.status === "failed").map((t) => `  ${s.stage} / ${t.name}: ${t.failure}\n  ${t.replay ?? ""}`))
    .join("\n");
}

function parse(stdout) {
  try {
    return JSON.parse(stdout);
  } catch {
    return undefined;
  }
}
