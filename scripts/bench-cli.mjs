// How fast `clstr --help` answers: wall time of whole processes, compared
// with a bare `node -e ''` (the floor any Node CLI pays).
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const RUNS = Number(process.argv[2] ?? 30);
const cli = join(import.meta.dirname, "..", "dist", "src", "cli", "main.js");

function time(args) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: "ignore" });
    if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}`);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { min: samples[0], median: samples[Math.floor(RUNS / 2)], p95: samples[Math.floor(RUNS * 0.95)] };
}

const bare = time(["-e", ""]);
const help = time([cli, "--help"]);
const list = time([cli, "list"]);
const fmt = (s) => `min ${s.min.toFixed(1)} ms, median ${s.median.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms`;
console.log(`runs each: ${RUNS}`);
console.log(`node -e ''    ${fmt(bare)}`);
console.log(`clstr --help  ${fmt(help)}  (${(help.median / bare.median).toFixed(2)}x bare node)`);
console.log(`clstr list    ${fmt(list)}  (${(list.median / bare.median).toFixed(2)}x bare node)`);
