import { createInterface } from "node:readline";
import type { NodeExit, RuntimeEvents, RuntimeNode } from "../runtime.js";
import { now } from "../../logs/eventLog.js";
import { signalGroup } from "./processGroup.js";
import { ProcessGroup } from "./processSpawner.js";
import type { Reaper } from "./reaperClient.js";
import { settlesWithin } from "../../util/within.js";

const KEPT_LINES = 40;

export interface NodeProcessOptions {
  name: string;
  address: string;
  peers: readonly string[];
  /** A spare started to join a running cluster: JOIN=true. */
  join?: boolean;
  dataDir: string;
  command: string;
  /**
   * Where the process runs. Plain: `sh -c <command>` on this machine.
   * Sandboxed: a wrapper that enters the node's namespace and waits for a
   * line on stdin; `gate` readies the network and then releases it.
   */
  placement?: { file: string; args: string[]; gate: (pid: number) => Promise<void> };
  /** Unix socket through which the harness reaches the node, if not by address. */
  socketPath?: string;
  cwd: string;
  /** Extra environment, e.g. the run id that tests use to find strays. */
  env: Record<string, string>;
  reaper: Reaper;
  events: RuntimeEvents;
}

/**
 * The shell text that runs `run:`. A simple command (words only: no quotes,
 * variables, redirections or operators) is exec'd, so the server itself leads
 * the node's process group and gets its signals first-hand, as PID 1 of a
 * container does; anything else runs under the shell.
 */
export function shellCommand(run: string): string {
  const words = run.trim().split(/\s+/);
  const simple = words.every((w) => /^[\w@%+:,./-]+$/.test(w));
  return simple ? `exec ${run.trim()}` : run;
}

/** One node: the `run:` command in its own process group. */
export class NodeProcess implements RuntimeNode {
  readonly name: string;
  readonly address: string;
  readonly url: string;
  readonly socketPath: string | undefined;
  private group: ProcessGroup | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stopping = false;
  private lastCrash: NodeExit | undefined;
  private readonly lines: string[] = [];

  constructor(private readonly opts: NodeProcessOptions) {
    this.name = opts.name;
    this.address = opts.address;
    this.url = `http://${opts.address}`;
    this.socketPath = opts.socketPath;
  }

  /** The node's process (group) id while it runs. */
  get pid(): number | undefined {
    return this.group?.pgid;
  }

  get running(): boolean {
    return this.group !== undefined;
  }

  get crashed(): NodeExit | undefined {
    return this.lastCrash;
  }

  recentOutput(): string[] {
    return [...this.lines];
  }

  async exitWithin(ms: number): Promise<boolean> {
    if (!this.group) return true;
    return settlesWithin(this.exited, ms);
  }

  private starting: Promise<void> | undefined;

  start(): Promise<void> {
    this.starting = this.spawnNode();
    return this.starting;
  }

  private async spawnNode(): Promise<void> {
    if (this.group) return;
    this.lastCrash = undefined;
    this.stopping = false;
    const placement = this.opts.placement;
    const [file, args] = placement ? [placement.file, placement.args] : ["sh", ["-c", shellCommand(this.opts.command)]];
    const group = new ProcessGroup({
      file,
      args,
      cwd: this.opts.cwd,
      stdio: [placement ? "pipe" : "ignore", "pipe", "pipe"],
      env: this.environment(),
      reaper: this.opts.reaper,
    });
    await group.started;
    this.group = group;
    const child = group.child;
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => this.record(line));
    }
    this.exited = group.exited.then((exit) => {
      if (!this.stopping) {
        this.lastCrash = exit.kind === "exited" ? { code: exit.code, signal: exit.signal, at: now() } : { code: null, signal: null, at: now() };
        this.opts.events.crashed(this.name, this.lastCrash);
        // The shell is gone; make sure nothing it started lingers.
        group.killLeftovers();
      }
      this.group = undefined;
    });
    if (placement) {
      child.stdin!.on("error", () => {});
      try {
        await placement.gate(child.pid!);
      } catch (err) {
        signalGroup(child.pid!, "SIGKILL");
        throw err;
      }
      child.stdin!.end("ready\n");
    }
  }

  /** This machine's environment, with what the node is told; JOIN only for a spare, even when the harness's own shell has one. */
  private environment(): NodeJS.ProcessEnv {
    const { JOIN: _inherited, ...inherited } = process.env;
    return {
      ...inherited,
      ...this.opts.env,
      CLSTR_RUN: shellCommand(this.opts.command),
      ADDR: this.opts.address,
      PEERS: this.opts.peers.join(","),
      DATA_DIR: this.opts.dataDir,
      ...(this.opts.join ? { JOIN: "true" } : {}),
    };
  }

  async stop(graceMs: number): Promise<void> {
    await this.end("SIGTERM", graceMs);
  }

  async kill(): Promise<void> {
    await this.end("SIGKILL", 0);
  }

  private async end(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    // A stop that arrives while the node is starting applies to that start.
    await this.starting?.catch(() => {});
    const group = this.group;
    if (group === undefined) return;
    this.stopping = true;
    await group.stop(signal, graceMs);
    await this.exited;
  }

  private record(line: string): void {
    this.lines.push(line);
    if (this.lines.length > KEPT_LINES) this.lines.shift();
    this.opts.events.output(this.name, line);
  }
}
