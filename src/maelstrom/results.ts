import { createWriteStream, writeFileSync } from "node:fs";
import { join } from "node:path";
import pc from "picocolors";
import { describeViolation } from "./violationText.js";
import { kebab } from "./checkers/network.js";
import type { EngineOptions, EngineResult } from "./engine.js";

/** Writes results.json and history.jsonl into the run's store directory. */
export async function writeResults(opts: EngineOptions, r: EngineResult): Promise<void> {
  const results = {
    valid: r.valid,
    workload: opts.workload,
    ...(r.violation ? { violation: r.violation } : {}),
    problems: r.problems,
    stats: r.stats,
    net: {
      all: kebab(r.net.all),
      clients: kebab(r.net.clients),
      servers: kebab(r.net.servers),
    },
    checker: r.workload,
    ...(r.checks ? { checks: r.checks.parts } : {}),
    participants: r.participants,
    options: { ...opts, onStderr: undefined, onEvent: undefined, onMessage: undefined, signal: undefined, reaper: undefined, checkers: opts.checkers?.map((c) => c.name) },
    "duration-ms": Math.round(r.durationMs),
  };
  writeFileSync(join(r.storeDir, "results.json"), JSON.stringify(results, null, 2) + "\n");
  const out = createWriteStream(join(r.storeDir, "history.jsonl"));
  for (const op of r.history) out.write(JSON.stringify(op) + "\n");
  await new Promise<void>((resolve) => out.end(resolve));
}

/** The terminal summary: the same facts as Maelstrom's results, readable. */
export function summarize(opts: EngineOptions, r: EngineResult): string {
  const lines: string[] = [];
  lines.push(pc.bold(`Workload ${opts.workload}: ${opts.nodeCount} node(s), ${opts.timeLimitS}s at ${opts.rate}/s, ${opts.concurrency} client(s), latency ${opts.latencyMs}ms ${opts.latencyDist}${opts.nemesis.length ? `, nemesis ${opts.nemesis.join(",")}` : ""}`));
  if (r.violation) {
    const [what, ...details] = describeViolation(r.violation);
    lines.push("", pc.red(what!), ...details);
  }
  lines.push("", "Operations:");
  for (const [f, s] of Object.entries(r.stats)) {
    lines.push(`  ${f.padEnd(24)} ${String(s.count).padStart(6)} total  ${String(s.ok).padStart(6)} ok  ${String(s.fail).padStart(5)} fail  ${String(s.info).padStart(5)} info`);
  }
  lines.push("", "Network:");
  for (const [k, c] of Object.entries(r.net)) {
    lines.push(`  ${k.padEnd(8)} ${String(c.msgCount).padStart(8)} messages  ${c.msgsPerOp.toFixed(2).padStart(8)} msgs-per-op${c.dropCount ? `  ${c.dropCount} dropped (partitions, loss)` : ""}`);
  }
  const facts = Object.entries(r.workload).filter(([k]) => k !== "valid" && k !== "problems");
  if (facts.length) {
    lines.push("", "Checker:");
    for (const [k, v] of facts) lines.push(`  ${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  }
  const others = Object.entries(r.checks?.parts ?? {}).filter(([name]) => name !== "workload" && name !== "net");
  if (others.length) {
    lines.push("", "Other checks:");
    for (const [name, part] of others) lines.push(`  ${name}: ${part.valid === true ? "valid" : part.valid === false ? "invalid" : "unknown"}  ${JSON.stringify(part.figures)}`);
  }
  if (r.problems.length) lines.push("", pc.red("Problems:"), ...r.problems.map((p) => `  - ${p}`));
  lines.push("", `Results, history and node logs: ${r.storeDir}`);
  lines.push(
    "",
    r.valid === true
      ? pc.green("VALID: the history passed every check.")
      : r.valid === false
        ? pc.red("INVALID: see the problems above.")
        : pc.yellow("UNKNOWN: nothing invalid was found, but the checker could not decide."),
  );
  return lines.join("\n");
}
