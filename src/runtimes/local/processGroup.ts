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
  return !groupEmpty(pgid) && groupMembers(pgid).some((m) => !m.zombie);
}

/**
 * True when no process at all, not even a zombie, is in the group: one
 * signal-0 syscall instead of a scan of /proc (about 2 ms with 60 processes),
 * which is then needed only while something of the group is still there.
 */
function groupEmpty(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
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
 * Signals a process group from the leaves up: a process gets the signal only
 * once its children in the group are dead and reaped. The server a shell
 * started gets it first and the shell, which waits for it, reaps it and
 * goes, so nothing is left behind as an orphaned zombie. Resolves true once
 * no process of the group is alive, false if `timeoutMs` passes first.
 */
export async function signalGroupFromLeaves(pgid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
  if (process.platform !== "linux") {
    signalGroup(pgid, signal);
    return waitGroupGone(pgid, timeoutMs);
  }
  const signalled = new Set<number>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (groupEmpty(pgid)) return true;
    const members = groupMembers(pgid);
    const live = members.filter((m) => !m.zombie);
    if (live.length === 0) return true;
    if (Date.now() >= deadline) return false;
    const parents = new Set(members.map((m) => m.ppid));
    for (const leaf of live.filter((m) => !parents.has(m.pid) && !signalled.has(m.pid))) {
      signalled.add(leaf.pid);
      try {
        process.kill(leaf.pid, signal);
      } catch {
        // gone already
      }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * SIGKILLs a process group from the leaves up (see signalGroupFromLeaves). A
 * parent that does not reap its dead children would hold things up: after
 * `patienceMs` the rest of the group is killed at once.
 */
export async function killGroupBottomUp(pgid: number, patienceMs = 300): Promise<void> {
  if (await signalGroupFromLeaves(pgid, "SIGKILL", patienceMs)) return;
  signalGroup(pgid, "SIGKILL");
  await waitGroupGone(pgid, 5000);
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
