// The reaper outlives the harness by design: it holds the list of node
// process groups and kills them when the harness goes away without cleaning
// up (a crash, SIGKILL, a closed terminal). The harness talks to it over
// stdin: "+<pgid>" registers a group, "-<pgid>" forgets one. End of input
// means the harness is gone.
import { createInterface } from "node:readline";

const groups = new Set<number>();

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => {});

createInterface({ input: process.stdin }).on("line", (line) => {
  const pgid = Number(line.slice(1));
  if (!Number.isInteger(pgid) || pgid <= 1) return;
  if (line.startsWith("+")) groups.add(pgid);
  else if (line.startsWith("-")) groups.delete(pgid);
});

process.stdin.on("close", () => {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  process.exit(0);
});
