import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";

// Who owns a run's Docker resources: the CLI process, named so that another
// run can tell whether it still lives. A PID alone is not enough (PIDs are
// reused, and start again after a reboot), so the owner also carries the
// process's start time, the machine's boot id and its host name. Every
// container, volume and the network carry these as labels.

export const LABEL = "io.clstr";

export interface Owner {
  runId: string;
  pid: number;
  /** The process's start time (clock ticks since boot on Linux, ms since the epoch elsewhere). */
  start: string;
  boot: string;
  host: string;
  dir: string;
}

export function currentOwner(runId: string, dir: string): Owner {
  return { runId, pid: process.pid, start: processStart(process.pid) ?? "", boot: bootId(), host: hostname(), dir };
}

/** The owner's labels: for containers and the network. */
export function ownerLabels(o: Owner): Record<string, string> {
  return { ...volumeLabels(o), [`${LABEL}.dir`]: o.dir };
}

/** The owner's labels without the directory, whose commas a `--mount` option could not carry. */
export function volumeLabels(o: Owner): Record<string, string> {
  return {
    [`${LABEL}.run`]: o.runId,
    [`${LABEL}.pid`]: String(o.pid),
    [`${LABEL}.pid-start`]: o.start,
    [`${LABEL}.boot`]: o.boot,
    [`${LABEL}.host`]: o.host,
  };
}

/** The owner a resource's labels name, or undefined when they name none (made by an older clstr, or by hand). */
export function ownerOf(labels: Record<string, string> | null | undefined): Owner | undefined {
  const l = labels ?? {};
  const runId = l[`${LABEL}.run`];
  const pid = Number(l[`${LABEL}.pid`]);
  if (!runId || !Number.isInteger(pid) || pid <= 0) return undefined;
  return { runId, pid, start: l[`${LABEL}.pid-start`] ?? "", boot: l[`${LABEL}.boot`] ?? "", host: l[`${LABEL}.host`] ?? "", dir: l[`${LABEL}.dir`] ?? "" };
}

/**
 * Whether the owning CLI still runs. An owner on another host (an engine
 * shared through DOCKER_HOST) cannot be checked from here and counts as alive.
 */
export function ownerAlive(o: Owner): boolean {
  if (o.host !== hostname()) return true;
  if (o.boot !== bootId()) return false;
  const start = processStart(o.pid);
  return start !== undefined && start === o.start;
}

function bootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    try {
      return execFileSync("sysctl", ["-n", "kern.boottime"], { encoding: "utf8" }).trim().replace(/[^0-9a-z=]+/gi, "-");
    } catch {
      return "";
    }
  }
}

/** When the process started, or undefined when there is no such process. */
function processStart(pid: number): string | undefined {
  if (process.platform === "linux") {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // After the command name (in parentheses, which may hold spaces) come fields 3, 4, ...; starttime is field 22.
      return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    } catch {
      return undefined;
    }
  }
  try {
    const started = Date.parse(execFileSync("ps", ["-o", "lstart=", "-p", String(pid)], { encoding: "utf8" }).trim());
    return Number.isNaN(started) ? undefined : String(started);
  } catch {
    return undefined;
  }
}
