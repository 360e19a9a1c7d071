import { readFileSync } from "node:fs";
import pc from "picocolors";
import { CLUSTER, type LogEntry } from "./eventLog.js";

export function readLog(path: string): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as LogEntry;
      if (typeof e.t === "number" && typeof e.node === "string") entries.push(e);
    } catch {
      // A line cut short by a crash of the harness: skip it.
    }
  }
  return entries;
}

export function nodesIn(entries: readonly LogEntry[]): string[] {
  const names = new Set(entries.map((e) => e.node).filter((n) => n !== CLUSTER));
  return [...names].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

function colorFor(event: string): (s: string) => string {
  if (event === "KILL" || event === "STOP" || event.startsWith("EXITED")) return pc.red;
  if (event === "START") return pc.green;
  if (event.startsWith("TEST:")) return pc.cyan;
  return pc.yellow;
}

/**
 * Renders the timeline for the chosen nodes (all when empty), interleaved by
 * time and relative to the first entry. Cluster events always show.
 */
export function renderLog(entries: readonly LogEntry[], only: readonly string[]): string[] {
  const wanted = new Set(only);
  const shown = entries
    .filter((e) => e.node === CLUSTER || wanted.size === 0 || wanted.has(e.node))
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.t - b.e.t || a.i - b.i)
    .map(({ e }) => e);
  if (shown.length === 0) return [];
  const t0 = shown[0]!.t;
  const width = Math.max(...shown.map((e) => e.node.length));
  return shown.map((e) => {
    const elapsed = `+${((e.t - t0) / 1000).toFixed(3)}s`.padEnd(10);
    const node = `[${e.node.padEnd(width)}]`;
    if ("event" in e) {
      const color = colorFor(e.event);
      return `${color(node)}  ${color(elapsed)}  ${color(`[${e.event}]`)}`;
    }
    return `${pc.bold(node)}  ${elapsed}  ${e.msg}`;
  });
}
