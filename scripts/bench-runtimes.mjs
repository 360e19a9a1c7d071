// Wall time of the same stage on the local runtime and on Docker, in one run,
// against the reference solution. Prints each run, the median ratio, and for
// Docker where the time went in each stage (from the runtime's own timings,
// CLSTR_DOCKER_TIMINGS, and the run's event log). Phases can overlap (the
// image build runs while the engine is checked and the network made), so a
// stage's wall is less than the sum of its phases; "restarts" (stop or kill,
// then start, of a node during a test) is part of "tests".
// Usage: node scripts/bench-runtimes.mjs [stage=crash-recovery] [runs=3] [runtimes=local,docker]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const stage = process.argv[2] ?? "crash-recovery";
const runs = Number(process.argv[3] ?? 3);
const runtimes = (process.argv[4] ?? "local,docker").split(",");
const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "src", "cli", "main.js");
const cwd = join(root, "solutions", "kv-store");
const timingsFile = join(mkdtempSync(join(tmpdir(), "clstr-bench-")), "docker-timings.json");

function once(runtime) {
  const t0 = performance.now();
  const env = { ...process.env, CLSTR_DOCKER_TIMINGS: timingsFile };
  const r = spawnSync(process.execPath, [cli, "test", stage, "--so-far", "--runtime", runtime, "--reporter", "json"], { cwd, env, encoding: "utf8" });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    console.error(`${runtime} run failed:\n${r.stdout}${r.stderr}`);
    process.exit(1);
  }
  const report = JSON.parse(r.stdout);
  const tests = report.stages.flatMap((s) => s.tests);
  return { seconds, report, passed: tests.filter((t) => t.status === "passed").length, skipped: tests.filter((t) => t.status === "skipped").length };
}

// --- Docker breakdown -------------------------------------------------------

const COLUMNS = ["engine", "build", "leftovers", "network", "start", "ready", "tests", "restarts", "shutdown", "cleanup", "wall"];
const PHASES = ["engine", "build", "leftovers", "network", "start", "restart", "shutdown", "cleanup"];

/** Wall time covered by spans (parallel spans count once). */
function covered(spans) {
  let total = 0;
  let until = -Infinity;
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    if (s.end <= until) continue;
    total += s.end - Math.max(s.start, until);
    until = s.end;
  }
  return total;
}

/**
 * Per stage: ms per phase, the stage's wall time (its first span to its last,
 * the tests included) and its docker CLI invocations. "ready" is from the
 * stage's last container start to the harness's CLUSTER READY in the run log.
 */
function breakdown(report, seconds) {
  const timings = JSON.parse(readFileSync(timingsFile, "utf8")).stages;
  const log = readFileSync(join(cwd, ".clstr", "logs", "run.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const ready = log.filter((e) => e.event === "CLUSTER READY").map((e) => e.t);
  const rows = timings.map((t, i) => {
    const of = (phase) => t.spans.filter((s) => s.phase === phase);
    const starts = of("start");
    const row = Object.fromEntries(PHASES.map((p) => [p === "restart" ? "restarts" : p, covered(of(p))]));
    row.ready = ready[i] !== undefined && starts.length > 0 ? ready[i] - Math.max(...starts.map((s) => s.end)) : 0;
    row.tests = (report.stages[i]?.tests ?? []).reduce((sum, test) => sum + test.durationMs, 0);
    row.wall = Math.max(...t.spans.map((s) => s.end)) - Math.min(...t.spans.map((s) => s.start));
    row.name = report.stages[i]?.stage ?? `stage ${t.stage}`;
    row.calls = t.calls;
    return row;
  });
  return { rows, outside: seconds * 1000 - rows.reduce((sum, r) => sum + r.wall, 0) };
}

const ms = (x) => String(Math.round(x)).padStart(10);

function printBreakdown({ rows, outside }) {
  console.log(`  ${"stage (ms)".padEnd(16)}${COLUMNS.map((c) => c.padStart(10)).join("")}  docker calls`);
  for (const r of rows) {
    const calls = Object.values(r.calls).reduce((a, b) => a + b, 0);
    const by = Object.entries(r.calls).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(", ");
    console.log(`  ${r.name.padEnd(16)}${COLUMNS.map((c) => ms(r[c])).join("")}  ${calls} (${by})`);
  }
  console.log(`  outside the stages (CLI start, suite loading, report): ${Math.round(outside)} ms`);
}

// --- runs -------------------------------------------------------------------

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const times = Object.fromEntries(runtimes.map((r) => [r, []]));
for (let i = 1; i <= runs; i++) {
  for (const runtime of runtimes) {
    const r = once(runtime);
    times[runtime].push(r.seconds);
    console.log(`run ${i} ${runtime.padEnd(6)} ${r.seconds.toFixed(1)}s  (${r.passed} passed, ${r.skipped} skipped; ${r.report.runtime})`);
    if (runtime === "docker") printBreakdown(breakdown(r.report, r.seconds));
  }
}
const medians = runtimes.map((r) => `${r} median ${median(times[r]).toFixed(1)}s`).join(", ");
const ratio = times.local?.length && times.docker?.length ? ` (docker/local ${(median(times.docker) / median(times.local)).toFixed(2)}x)` : "";
console.log(`${stage} --so-far: ${medians}${ratio}`);
