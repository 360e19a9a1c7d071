// How fast, and in how much memory, the linearizability checker decides
// histories as they grow: 1k to 1M operations by 2, 10 or 100 clients of a
// simulated linearizable object, checked as one object (register,
// cas-register: the search sees every operation) and partitioned by key
// (kv-cas with many keys), as generated (linearizable) and with one read late
// in the history made certainly stale (not linearizable: the slow direction).
// Each case runs in a process of its own, so its peak RSS is its own.
// Usage: npm run build && node scripts/bench-linearizability.mjs [--quick] [--timeout-ms N] [--info-rate R]
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const timeoutMs = Number(option("--timeout-ms", "60000"));
// Operations of unknown outcome stay open to the end of the history, so each is a choice the search must make: none by default.
const infoRate = Number(option("--info-rate", "0"));

if (args.includes("--case")) {
  await runCase(JSON.parse(option("--case")));
} else {
  const sizes = args.includes("--quick") ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000];
  const cases = [];
  for (const ops of sizes)
    for (const clients of [2, 10, 100])
      for (const model of ["kv-cas", "register", "cas-register"])
        for (const expected of ["ok", "illegal"]) cases.push({ ops, clients, model, expected, timeoutMs, infoRate });
  const columns = ["ops", "clients", "model", "partitioned", "expected", "verdict", "time", "ops/s", "gen RSS", "peak RSS"];
  const widths = [9, 7, 12, 11, 8, 8, 9, 10, 9, 9];
  const row = (cells) => cells.map((c, i) => String(c).padStart(widths[i])).join(" ");
  console.log(row(columns));
  for (const c of cases) {
    const child = spawnSync(process.execPath, ["--max-old-space-size=6144", fileURLToPath(import.meta.url), "--case", JSON.stringify(c)], {
      encoding: "utf8",
      timeout: c.timeoutMs * 3 + 120_000,
    });
    const line = child.stdout.trim().split("\n").pop() ?? "";
    let r;
    try {
      r = JSON.parse(line);
    } catch {
      const why = child.error ? child.error.message : child.signal ? `killed by ${child.signal}` : (child.stderr.trim().split("\n").pop() ?? `exit ${child.status}`);
      console.log(row([c.ops, c.clients, c.model, c.model === "kv-cas" ? "yes" : "no", c.expected, "crashed", "", "", "", ""]) + `  ${why}`);
      continue;
    }
    const mark = r.verdict === c.expected || r.verdict === "unknown" ? "" : "  WRONG";
    console.log(row([r.ops, c.clients, c.model, r.parts > 1 ? `yes (${r.parts})` : "no", c.expected, r.verdict, `${(r.ms / 1000).toFixed(2)} s`, Math.round(r.ops / (r.ms / 1000)), mb(r.genRss), mb(r.peakRss)]) + mark + (r.reason ? `  ${r.reason}` : ""));
  }
  console.log(`(${cases.length} cases, checker timeout ${timeoutMs / 1000} s each, ${infoRate * 100}% of operations of unknown outcome; ops = operations in the history after failed cas are left out; RSS in MiB, peak over the case's process)`);
}

function mb(bytes) {
  return `${Math.round(bytes / 2 ** 20)}`;
}

async function runCase({ ops, clients, model, expected, timeoutMs, infoRate }) {
  const { generateHistory, staleRead } = await import("../dist/test/support/histories.js");
  const { checkHistory } = await import("../dist/src/checkers/linearizability/check.js");
  const keys = model === "kv-cas" ? Math.max(10, Math.round(ops / 100)) : 1;
  const generated = generateHistory({ model, clients, operations: ops, keys, seed: ops + clients, infoRate, distinctValues: true });
  const history = expected === "ok" ? generated : staleRead(generated);
  const genRss = process.memoryUsage().rss;
  const t0 = performance.now();
  const result = await checkHistory(history, model, { timeoutMs });
  const ms = performance.now() - t0;
  const reason = result.parts.find((p) => p.outcome === "unknown")?.reason;
  console.log(JSON.stringify({ ops: history.operations.length, verdict: result.outcome, ms, parts: result.parts.length, genRss, peakRss: process.resourceUsage().maxRSS * 1024, ...(reason ? { reason } : {}) }));
}
