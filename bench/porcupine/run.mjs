// Runs the Porcupine driver and clstr's checker side by side on the same
// histories and prints a comparison table. Started by scripts/bench-porcupine.sh,
// which builds the driver; run that script rather than this file.
//
//   node bench/porcupine/run.mjs --porcupine <driver binary> [--ours "<command>"]
//     [--histories test/fixtures/histories] [--rounds 3] [--kv-rounds 1]
//     [--timeout 10m] [--label "<porcupine version>"]

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const args = parseArgs(process.argv.slice(2));
const driver = args.porcupine;
if (!driver) {
  console.error("run.mjs: --porcupine <driver binary> is required (scripts/bench-porcupine.sh builds it)");
  process.exit(2);
}
const histories = args.histories ?? "test/fixtures/histories";
const rounds = Number(args.rounds ?? 3);
const kvRounds = Number(args["kv-rounds"] ?? 1);
const timeout = args.timeout ?? "10m";
const expected = path.join(histories, "expected.json");
const ours = args.ours ? args.ours.split(" ").filter(Boolean) : null;
const oursExtra = (process.env.OURS_ARGS ?? "").split(" ").filter(Boolean);

const etcd = listFiles(path.join(histories, "etcd"), ".log");
const kv = (names) => names.map((n) => path.join(histories, "kv", `${n}.txt`));
for (const f of [...kv(["c10-ok", "c10-bad", "c50-ok", "c50-bad"])]) {
  if (!existsSync(f)) fail(`missing history ${f}`);
}
if (etcd.length === 0) fail(`no etcd histories in ${path.join(histories, "etcd")}`);

const rows = [
  {
    name: `etcd ${etcd.length} files, cas-register`,
    rounds,
    files: etcd,
    porcupine: ["-model", "cas-register"],
    ours: ["--model", "cas-register"],
  },
  {
    // clstr reads a :fail as Jepsen does (no effect, nothing observed); Porcupine's own etcd test reads a failed cas
    // as "the compare did not match". This row gives Porcupine clstr's reading, so both solve the same problem.
    name: `etcd ${etcd.length} files, failed cas = no effect`,
    rounds,
    files: etcd,
    porcupine: ["-model", "cas-register", "-fail-as-noop"],
    ours: ["--model", "cas-register"],
  },
  {
    name: "kv c10-ok+bad, one object",
    rounds: kvRounds,
    files: kv(["c10-ok", "c10-bad"]),
    porcupine: ["-model", "kv", "-no-partition"],
    ours: ["--model", "kv", "--no-partition"],
  },
  {
    name: "kv c50-ok+bad, per key",
    rounds: kvRounds,
    files: kv(["c50-ok", "c50-bad"]),
    porcupine: ["-model", "kv"],
    ours: ["--model", "kv"],
  },
];

console.log(
  `Porcupine ${args.label ?? "(unknown version)"} vs clstr ${gitDescribe()}; ` +
    `${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}, node ${process.version}`,
);
console.log("Wall = whole process, start to exit; tool = what the tool itself reports (no process start).");
console.log("");

let failed = false;
const table = [];
for (const row of rows) {
  const runs = { porcupine: [], ours: [] };
  for (let r = 0; r < row.rounds; r++) {
    runs.porcupine.push(
      runPorcupine([...row.porcupine, "-timeout", timeout, "-expect", expected, ...row.files], row.files),
    );
    if (ours) runs.ours.push(runOurs([...ours, "check", "linearizable", ...row.ours, ...oursExtra, ...row.files], row.files));
    process.stderr.write(`  ${row.name}: round ${r + 1}/${row.rounds} done\n`);
  }
  const p = summarize(runs.porcupine);
  const o = ours ? summarize(runs.ours) : null;
  let agree = "-";
  if (o) {
    const diff = row.files.filter((f) => p.verdicts.get(f) !== o.verdicts.get(f));
    agree = diff.length === 0 ? "yes" : `NO (${diff.length} files differ)`;
    if (diff.length > 0) {
      failed = true;
      for (const f of diff.slice(0, 20)) {
        console.log(`  differs: ${f} porcupine=${p.verdicts.get(f)} clstr=${o.verdicts.get(f) ?? "?"}`);
      }
    }
  }
  if (p.expectedLine && !/^expected (\d+)\/\1 match/.test(p.expectedLine)) failed = true;
  if (p.error || (o && o.error)) failed = true;
  table.push([row.name, "porcupine", p.counts, p.expectedLine?.replace(/^expected /, "").replace(/ match$/, "") ?? "?", p.wall, p.tool, ""]);
  table.push(["", "clstr", o ? o.counts : "not available", "", o ? o.wall : "", o ? o.tool : "", agree]);
  for (const s of [p, o]) if (s?.error) console.log(`  ${row.name}: ${s.error}`);
}

const header = ["history", "tool", "ok/illegal/unknown", "expected", `wall ms median (min)`, "tool ms median (min)", "same verdicts"];
printTable([header, ...table]);
if (!ours) console.log("\nours: not available (no `clstr check linearizable` in dist/; run `npm run build` once it exists)");
console.log(`\nRounds: etcd ${rounds}, kv ${kvRounds}. Preliminary unless the machine was otherwise idle.`);
process.exit(failed ? 1 : 0);

// ---------------------------------------------------------------------------

function runPorcupine(argv, files) {
  const run = timed(driver, argv);
  const verdicts = new Map();
  let total = null;
  let expectedLine = null;
  for (const line of run.stdout.split("\n")) {
    const m = /^(.*) (ok|illegal|unknown) ([\d.]+)$/.exec(line);
    if (m && files.includes(m[1])) verdicts.set(m[1], m[2]);
    const t = /^total \d+ files ok=\d+ illegal=\d+ unknown=\d+ ([\d.]+)$/.exec(line);
    if (t) total = Number(t[1]);
    if (line.startsWith("expected ")) expectedLine = line;
  }
  const error =
    run.status !== 0 && !(run.status === 1 && expectedLine)
      ? `porcupine driver exited ${run.status}: ${run.stderr.trim().split("\n").slice(-3).join(" / ")}`
      : run.status === 1
        ? `porcupine verdicts differ from ${expected}: ${run.stdout.split("\n").filter((l) => l.startsWith("mismatch")).slice(0, 5).join("; ")}`
        : null;
  return { wall: run.wall, tool: total, verdicts, expectedLine, error };
}

// clstr's output format is not fixed yet: a file's verdict is taken from the
// first line naming the file (its path or its base name) and containing one of
// ok / illegal / unknown / linearizable / not linearizable. The time it reports
// is the last number with a unit (ms or s) on a line mentioning total, checked
// or elapsed.
function runOurs(argv, files) {
  const run = timed(argv[0], argv.slice(1));
  const lines = (run.stdout + "\n" + run.stderr).split("\n");
  const verdicts = new Map();
  for (const f of files) {
    const base = path.basename(f);
    for (const line of lines) {
      if (!line.includes(f) && !new RegExp(`(^|[\\s/"'])${escapeRe(base)}($|[\\s:"',)])`).test(line)) continue;
      const rest = line.replace(f, " ").replace(base, " ");
      const v = verdictOf(rest);
      if (v) {
        verdicts.set(f, v);
        break;
      }
    }
  }
  let tool = null;
  for (const line of lines) {
    if (!/total|checked|elapsed/i.test(line)) continue;
    const all = [...line.matchAll(/(\d+(?:\.\d+)?)\s*(ms|s)\b/g)];
    if (all.length > 0) {
      const [, n, unit] = all[all.length - 1];
      tool = unit === "s" ? Number(n) * 1000 : Number(n);
    }
  }
  const error =
    verdicts.size < files.length
      ? `clstr: no verdict found for ${files.length - verdicts.size} of ${files.length} files (exit ${run.status}); first lines: ${lines.slice(0, 3).join(" / ")}`
      : null;
  return { wall: run.wall, tool, verdicts, error };
}

function verdictOf(text) {
  const t = text.toLowerCase();
  if (/\b(not linearizable|non-?linearizable|illegal|invalid)\b/.test(t)) return "illegal";
  if (/\b(unknown|timed? ?out)\b/.test(t)) return "unknown";
  if (/\b(ok|linearizable|valid)\b/.test(t)) return "ok";
  return null;
}

function timed(cmd, argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
  return { wall, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function summarize(runs) {
  const last = runs[runs.length - 1];
  const c = { ok: 0, illegal: 0, unknown: 0 };
  for (const v of last.verdicts.values()) c[v]++;
  const walls = runs.map((r) => r.wall).sort((a, b) => a - b);
  const tools = runs.map((r) => r.tool).filter((t) => t != null).sort((a, b) => a - b);
  // Verdicts must be the same in every round.
  const unstable = runs.some((r) => [...r.verdicts].some(([f, v]) => last.verdicts.get(f) !== v));
  return {
    counts: `${c.ok}/${c.illegal}/${c.unknown}`,
    verdicts: last.verdicts,
    expectedLine: last.expectedLine,
    wall: `${fmt(median(walls))} (${fmt(walls[0])})`,
    tool: tools.length ? `${fmt(median(tools))} (${fmt(tools[0])})` : "n/a",
    error: runs.find((r) => r.error)?.error ?? (unstable ? "verdicts changed between rounds" : null),
  };
}

function median(xs) {
  const n = xs.length;
  return n % 2 ? xs[(n - 1) / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

function fmt(ms) {
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

function printTable(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(widths[i])).join("  ").trimEnd());
}

function listFiles(dir, ext) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => path.join(dir, f));
}

function gitDescribe() {
  const r = spawnSync("git", ["describe", "--always", "--dirty"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : "(not a git checkout)";
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) fail(`unexpected argument ${a}`);
    out[a.slice(2)] = argv[++i];
  }
  return out;
}

function fail(msg) {
  console.error(`run.mjs: ${msg}`);
  process.exit(2);
}
