import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";

/** Starts the reaper (see reaper.ts) and registers process groups and Docker runs with it. */
export class Reaper {
  private readonly child: ChildProcess;
  /**
   * For the environment of every process the harness starts: the reaper
   * kills what carries it even if the harness died before registering it.
   */
  readonly env: Readonly<Record<string, string>>;

  constructor() {
    const script = fileURLToPath(new URL("./reaper.js", import.meta.url));
    const token = randomUUID();
    this.env = { CLSTR_REAPER: token };
    this.child = spawn(process.execPath, [script, token], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
    });
    this.child.unref();
    this.child.stdin?.on("error", () => {});
  }

  watch(pgid: number): void {
    this.child.stdin?.write(`+group ${pgid}\n`);
  }

  forget(pgid: number): void {
    this.child.stdin?.write(`-group ${pgid}\n`);
  }

  /** The reaper removes the run's containers, volumes and network (labelled with its id) if the harness dies. */
  watchDocker(runId: string): void {
    this.child.stdin?.write(`+docker ${runId}\n`);
  }

  /** The run has removed them itself. */
  forgetDocker(runId: string): void {
    this.child.stdin?.write(`-docker ${runId}\n`);
  }

  /** The reaper removes this temporary folder (under the system's, named clstr-…) if the harness dies. */
  watchDir(path: string): void {
    this.child.stdin?.write(`+dir ${path}\n`);
  }

  /** The run has removed it itself. */
  forgetDir(path: string): void {
    this.child.stdin?.write(`-dir ${path}\n`);
  }

  /** Tells the reaper the harness is done; resolves once it has exited. */
  close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.ref(); // keep the harness alive until the reaper is gone
    this.child.stdin?.end();
    return exited;
  }
}
