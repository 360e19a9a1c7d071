// The reaper outlives the harness by design: it holds what the run must not
// leave behind and removes it when the harness goes away without cleaning up
// (a crash, SIGKILL, a closed terminal). The harness talks to it over stdin,
// one line each: "+group <pgid>" registers a process group, "-group <pgid>"
// forgets one; "+docker <runId>" registers a Docker run, whose containers,
// volumes and network (those labelled io.clstr.run=<runId>) it removes,
// "-docker <runId>" says the run removed them itself; "+dir <path>" registers
// a temporary folder of the run's (only under the system's temporary folder,
// named clstr-…), "-dir <path>" forgets it. End of input means the harness is
// gone.
//
// A process the harness started in the instant before it died may not have
// been registered yet: every process the harness starts carries the mark this
// reaper was given (CLSTR_REAPER=<token> in its environment, see
// reaperClient.ts), and on Linux the reaper also kills every process, and the
// group it leads, that carries it.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname } from "node:path";
import { createInterface } from "node:readline";

const mark = process.argv[2] ? `CLSTR_REAPER=${process.argv[2]}` : undefined;
const groups = new Set<number>();
const dockerRuns = new Set<string>();
const dirs = new Set<string>();

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGPIPE"] as const) process.on(signal, () => {});

createInterface({ input: process.stdin }).on("line", (line) => {
  const space = line.indexOf(" ");
  const verb = space === -1 ? line : line.slice(0, space);
  const arg = space === -1 ? "" : line.slice(space + 1);
  if (verb === "+group" || verb === "-group") {
    const pgid = Number(arg);
    if (!Number.isInteger(pgid) || pgid <= 1) return;
    if (verb === "+group") groups.add(pgid);
    else groups.delete(pgid);
  } else if ((verb === "+docker" || verb === "-docker") && /^[\w.-]+$/.test(arg)) {
    if (verb === "+docker") dockerRuns.add(arg);
    else dockerRuns.delete(arg);
  } else if ((verb === "+dir" || verb === "-dir") && dirname(arg) === tmpdir() && basename(arg).startsWith("clstr-")) {
    if (verb === "+dir") dirs.add(arg);
    else dirs.delete(arg);
  }
});

process.stdin.on("close", () => {
  for (const pgid of groups) kill(-pgid);
  for (const pid of marked()) {
    kill(pid);
    kill(-pid); // the group it leads, if it leads one
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  void Promise.all([...dockerRuns].map(removeDockerRun)).finally(() => process.exit(0));
});

function kill(target: number): void {
  try {
    process.kill(target, "SIGKILL");
  } catch {
    // already gone
  }
}

/** The processes whose environment carries this reaper's mark (Linux: read from /proc). */
function marked(): number[] {
  if (!mark || process.platform !== "linux") return [];
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(mark)) found.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

/**
 * Removes the run's containers, then its volumes and network (which their
 * containers hold). Twice, a second apart: a `docker run` the harness had
 * in flight when it died may still create its container.
 */
async function removeDockerRun(runId: string): Promise<void> {
  const label = `label=io.clstr.run=${runId}`;
  for (let pass = 0; pass < 2; pass++) {
    if (pass > 0) await new Promise((r) => setTimeout(r, 1000));
    const containers = await docker(["ps", "-aq", "--filter", label]);
    if (containers.length > 0) await docker(["rm", "-f", ...containers]);
    const [volumes, networks] = await Promise.all([docker(["volume", "ls", "-q", "--filter", label]), docker(["network", "ls", "-q", "--filter", label])]);
    await Promise.all([
      volumes.length > 0 ? docker(["volume", "rm", "-f", ...volumes]) : undefined,
      networks.length > 0 ? docker(["network", "rm", ...networks]) : undefined,
    ]);
  }
}

/** Runs `docker …` and returns its output's lines; nothing when it fails. */
function docker(args: string[]): Promise<string[]> {
  return new Promise((resolve) => {
    execFile("docker", args, { env: { ...process.env, DOCKER_CLI_HINTS: "false" }, timeout: 30_000 }, (err, stdout) => {
      resolve(err ? [] : stdout.split("\n").map((l) => l.trim()).filter(Boolean));
    });
  });
}
