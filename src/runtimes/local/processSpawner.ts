import { spawn, type ChildProcess, type StdioNull, type StdioPipe } from "node:child_process";
import { killGroupBottomUp, signalGroup, signalGroupFromLeaves, waitGroupGone } from "./processGroup.js";
import type { Reaper } from "./reaperClient.js";

// The one way clstr starts a node, whichever family: the command leads a
// process group of its own, the reaper knows the group from the moment it
// exists (so a SIGKILL of the CLI leaves nothing behind), a stop signals the
// group from the leaves up, and the reaper forgets the group once it is empty.

export interface GroupSpawnOptions {
  file: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdio: [StdioPipe | StdioNull, StdioPipe, StdioPipe];
  reaper: Reaper;
}

/** How the group's leader ended: an exit, or a spawn that failed. */
export type GroupExit =
  | { kind: "exited"; code: number | null; signal: NodeJS.Signals | null }
  | { kind: "failed"; error: NodeJS.ErrnoException };

/** A command in its own process group, registered with the reaper until it is gone. */
export class ProcessGroup {
  readonly child: ChildProcess;
  /** The group id (the leader's pid); undefined if the spawn failed. */
  readonly pgid: number | undefined;
  /** Resolves once the process has started; rejects if it could not be. */
  readonly started: Promise<void>;
  /** Resolves when the leader exits (its output may still be flowing) or the spawn fails. */
  readonly exited: Promise<GroupExit>;
  /** Resolves when the leader has exited and its stdout and stderr are closed, or the spawn failed. */
  readonly closed: Promise<GroupExit>;
  private registered = false;

  constructor(private readonly opts: GroupSpawnOptions) {
    this.child = spawn(opts.file, [...opts.args], {
      cwd: opts.cwd,
      env: { ...opts.env, ...opts.reaper.env },
      stdio: opts.stdio,
      detached: true, // its own process group (and session): signals reach all of it
    });
    this.pgid = this.child.pid;
    if (this.pgid !== undefined) {
      opts.reaper.watch(this.pgid);
      this.registered = true;
    }
    const failed = new Promise<GroupExit>((resolve) => this.child.once("error", (error) => resolve({ kind: "failed", error })));
    this.started = new Promise((resolve, reject) => {
      this.child.once("spawn", resolve);
      this.child.once("error", reject);
    });
    this.started.catch(() => {});
    this.exited = Promise.race([failed, new Promise<GroupExit>((resolve) => this.child.once("exit", (code, signal) => resolve({ kind: "exited", code, signal })))]);
    this.closed = Promise.race([failed, new Promise<GroupExit>((resolve) => this.child.once("close", (code, signal) => resolve({ kind: "exited", code, signal })))]);
    this.child.on("error", () => {}); // reported through started, exited and closed
  }

  /**
   * Stops the group: `signal` to its processes from the leaves up (so a shell
   * reaps the server it started), SIGKILL to what is left after `graceMs`.
   * Resolves once the leader has exited and the group is empty, and the
   * reaper has forgotten it.
   */
  async stop(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const pgid = this.pgid;
    if (pgid === undefined) return;
    if (signal === "SIGKILL" || !(await signalGroupFromLeaves(pgid, signal, graceMs))) await killGroupBottomUp(pgid);
    await this.exited;
    await waitGroupGone(pgid, 5000);
    this.forget();
  }

  /** The leader is gone on its own: kills whatever it left in the group, and forgets the group. */
  killLeftovers(): void {
    if (this.pgid === undefined) return;
    signalGroup(this.pgid, "SIGKILL");
    this.forget();
  }

  private forget(): void {
    if (!this.registered || this.pgid === undefined) return;
    this.registered = false;
    this.opts.reaper.forget(this.pgid);
  }
}
