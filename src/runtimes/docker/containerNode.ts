import { createInterface } from "node:readline";
import type { ResultPromise } from "execa";
import { RuntimeError } from "../../util/errors.js";
import { settlesWithin } from "../../util/within.js";
import type { NodeExit, RuntimeEvents, RuntimeNode } from "../runtime.js";
import type { DockerCli } from "./dockerCli.js";
import type { DockerTimings } from "./timings.js";

const KEPT_LINES = 40;

export interface ContainerSpec {
  /** Logical name: n1, n2, ... */
  name: string;
  container: string;
  /** The `docker run` arguments that create the container (everything but `run -d`). */
  runArgs: string[];
  /** The node's address as its peers see it. */
  address: string;
  /** Where the harness reaches the node's port 8080 on this machine. */
  url: string;
  events: RuntimeEvents;
  /** Runs after every start, once the container runs (puts back faults its network lost). */
  afterStart: (name: string) => Promise<void>;
  cli: DockerCli;
  timings: DockerTimings;
}

/**
 * One node as a Docker container: created by the first start, started again
 * after a stop or a kill (a restart is always stop-or-kill, then start, so a
 * SIGKILL restart is a real SIGKILL on every engine). Its output is followed
 * with `docker logs --follow`, which ends when the container stops: that end
 * is how its exit is seen, and only an exit nobody asked for costs a
 * `docker inspect` to learn the exit code.
 */
export class ContainerNode implements RuntimeNode {
  readonly name: string;
  readonly address: string;
  readonly url: string;
  readonly socketPath = undefined;
  private created = false;
  private isRunning = false;
  /** Set while we stop, kill or remove the container: its exit is not a crash. */
  private stopping = false;
  private lastCrash: NodeExit | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly lines: string[] = [];

  constructor(private readonly spec: ContainerSpec) {
    this.name = spec.name;
    this.address = spec.address;
    this.url = spec.url;
  }

  get running(): boolean {
    return this.isRunning;
  }

  get crashed(): NodeExit | undefined {
    return this.lastCrash;
  }

  recentOutput(): string[] {
    return [...this.lines];
  }

  start(): Promise<void> {
    const { timings, container } = this.spec;
    if (!this.created) return timings.time("start", () => this.launch(["run", "-d", ...this.spec.runArgs]), this.name);
    return timings.restart(this.name, () => this.launch(["start", container]));
  }

  async stop(graceMs: number): Promise<void> {
    if (!this.isRunning) return;
    const grace = String(Math.max(1, Math.ceil(graceMs / 1000)));
    await this.halt(["stop", "--time", grace, this.spec.container]);
  }

  async kill(): Promise<void> {
    if (!this.isRunning) return;
    await this.halt(["kill", "--signal", "SIGKILL", this.spec.container]);
  }

  async exitWithin(ms: number): Promise<boolean> {
    if (!this.isRunning) return true;
    return settlesWithin(this.exited, ms);
  }

  /** The container is about to be removed: its end is not a crash. Resolves once its output is no longer followed. */
  retire(): Promise<void> {
    this.stopping = true;
    return this.exited;
  }

  private async launch(args: string[]): Promise<void> {
    this.lastCrash = undefined;
    this.stopping = false;
    const since = (Date.now() / 1000).toFixed(3);
    const r = await this.spec.cli.try(args);
    if (r.code !== 0) throw startFailure(this.name, r.stderr || r.stdout);
    this.created = true;
    this.isRunning = true;
    this.exited = this.follow(since);
    await this.spec.afterStart(this.name).catch(() => {
      // the container may already have exited; its crash is reported when its output ends
    });
  }

  private async halt(args: string[]): Promise<void> {
    this.stopping = true;
    await this.spec.timings.halt(this.name, async () => {
      await this.spec.cli.try(args);
      await this.exited;
    });
  }

  /** Follows the container's output from `since` until the container stops; then records how it ended. */
  private async follow(since: string): Promise<void> {
    let p: ResultPromise;
    try {
      p = this.spec.cli.stream(["logs", "--follow", "--timestamps", "--since", since, this.spec.container]);
    } catch {
      this.isRunning = false; // the run is being torn down: the container goes with it
      return;
    }
    const onLine = (stamped: string) => {
      const { at, line } = splitTimestamp(stamped);
      if (line.trim() === "") return;
      this.lines.push(line);
      if (this.lines.length > KEPT_LINES) this.lines.shift();
      this.spec.events.output(this.name, line, at);
    };
    createInterface({ input: p.stdout! }).on("line", onLine);
    createInterface({ input: p.stderr! }).on("line", onLine);
    await p;
    const at = Date.now();
    if (!this.stopping) await this.reportCrash(at).catch(() => {}); // torn down meanwhile
    this.isRunning = false;
  }

  /** The container stopped without being asked to: report it with its exit code. */
  private async reportCrash(at: number): Promise<void> {
    const code = await this.exitCode();
    if (this.stopping) return; // removed meanwhile
    // 137 = killed by SIGKILL, 143 = SIGTERM: docker reports signals as 128 + n.
    const signal = code === 137 ? "SIGKILL" : code === 143 ? "SIGTERM" : null;
    this.lastCrash = { code: signal ? null : code, signal, at };
    this.spec.events.crashed(this.name, this.lastCrash);
  }

  /** The exit code of the container's last run; waits for it if it still runs (its log stream ended for another reason). */
  private async exitCode(): Promise<number | null> {
    const state = await this.spec.cli.try(["inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", this.spec.container]);
    const [running, code] = state.stdout.trim().split(" ");
    const text = running === "true" ? (await this.spec.cli.try(["wait", this.spec.container])).stdout : (code ?? "");
    const n = Number(text.trim());
    return text.trim() !== "" && Number.isFinite(n) ? n : null;
  }
}

/** "2026-11-22T04:10:00.123456789Z message" → wall-clock ms and the message. */
export function splitTimestamp(stamped: string): { at: number | undefined; line: string } {
  const space = stamped.indexOf(" ");
  const at = space > 0 ? Date.parse(stamped.slice(0, space)) : NaN;
  return Number.isNaN(at) ? { at: undefined, line: stamped } : { at, line: stamped.slice(space + 1) };
}

function startFailure(name: string, output: string): RuntimeError {
  const text = output.trim();
  if (/port is already allocated|address already in use/i.test(text)) {
    return new RuntimeError(`Node ${name} could not start: its published port on 127.0.0.1 is already taken; stop whatever uses it and run again.`, text);
  }
  return new RuntimeError(`Docker could not start node ${name}: ${text.split("\n")[0]}`, text);
}
