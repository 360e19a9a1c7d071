// Wall time of the same stage on the local runtime and on Docker, in one run,
// against the reference solution. Prints each run and the median ratio.
// Usage: node scripts/bench-runtimes.mjs [stage=crash-recovery] [runs=3]
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const stage = process.argv[2] ?? "crash-recovery";
const runs = Number(process.argv[3] ?? 3);
const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "src", "cli", "main.js");
const cwd = join(root, "solutions", "kv-store");

function once(runtime) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, "test", stage, "--so-far", "--runtime", runtime, "--reporter", "json"], { cwd, encoding: "utf8" });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    console.error(`${runtime} run failed:\n${r.stdout}${r.stderr}`);
    process.exit(1);
  }
  const report = JSON.parse(r.stdout);
  const tests = report.stages.flatMap((s) => s.tests);
  return { seconds, passed: tests.filter((t) => t.status === "passed").length, skipped: tests.filter((t) => t.status === "skipped").length, runtime: report.runtime };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const times = { local: [], docker: [] };
for (let i = 1; i <= runs; i++) {
  for (const runtime of ["local", "docker"]) {
    const r = once(runtime);
    times[runtime].push(r.seconds);
    console.log(`run ${i} ${runtime.padEnd(6)} ${r.seconds.toFixed(1)}s  (${r.passed} passed, ${r.skipped} skipped; ${r.runtime})`);
  }
}
const local = median(times.local);
const docker = median(times.docker);
console.log(`${stage} --so-far: local median ${local.toFixed(1)}s, docker median ${docker.toFixed(1)}s (docker/local ${(docker / local).toFixed(2)}x)`);
