import { readdirSync, readFileSync } from "node:fs";

// A node runs as its own process group, so a signal reaches the shell that
// `run:` starts and everything that shell starts.

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

/** True while any process of the group is alive (zombies do not count). */
export function groupAlive(pgid: number): boolean {
  if (process.platform === "linux") return linuxGroupAlive(pgid);
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function linuxGroupAlive(pgid: number): boolean {
  return groupMembers(pgid).some((m) => !m.zombie);
}

interface Member {
  pid: number;
  ppid: number;
  zombie: boolean;
}

/** The processes of a group, zombies included (Linux only: read from /proc). */
function groupMembers(pgid: number): Member[] {
  const members: Member[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== pgid) continue;
    members.push({ pid: Number(entry), ppid: Number(fields[1]), zombie: fields[0] === "Z" || fields[0] === "X" });
  }
  return members;
}

/**
 * SIGKILLs a process group from the leaves up: a process dies only once its
 * children in the group are dead and reaped, so each parent (a shell that
 * waits for the server it started) reaps its own children, and nothing is
 * left behind as an orphaned zombie. A parent that does not reap its dead
 * children holds things up for at most `patienceMs`; then the whole group
 * is killed at once. Resolves once no process of the group is alive.
 */
export async function killGroupBottomUp(pgid: number, patienceMs = 200): Promise<void> {
  if (process.platform !== "linux") {
    signalGroup(pgid, "SIGKILL");
    await waitGroupGone(pgid, 5000);
    return;
  }
  let stuckSince = Date.now();
  let last = "";
  for (;;) {
    const members = groupMembers(pgid);
    const live = members.filter((m) => !m.zombie);
    if (live.length === 0) return;
    const shape = members.map((m) => `${m.pid}${m.zombie ? "z" : ""}`).join(",");
    if (shape !== last) [last, stuckSince] = [shape, Date.now()];
    if (Date.now() - stuckSince > patienceMs) {
      signalGroup(pgid, "SIGKILL");
      await waitGroupGone(pgid, 5000);
      return;
    }
    const parents = new Set(members.map((m) => m.ppid));
    for (const m of live.filter((l) => !parents.has(l.pid))) {
      try {
        process.kill(m.pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves true once the group is empty, false if `timeoutMs` passes first. */
export async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!groupAlive(pgid)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 15));
  }
}
