import { createInterface } from "node:readline";
import type { ResultPromise } from "execa";
import type { NodeExit, RuntimeEvents, RuntimeNode } from "../runtime.js";
import { RuntimeError } from "../../util/errors.js";
import { docker, dockerProcess, tryDocker } from "./dockerCli.js";
import { settlesWithin } from "../../util/within.js";

const KEPT_LINES = 40;

export interface ContainerSpec {
  /** Logical name: n1, n2, ... */
  name: string;
  container: string;
  volume: string;
  image: string;
  network: string;
  ip: string;
  port: number;
  /** Loopback port on this machine published to the container's 8080. */
  hostPort: number;
  peers: readonly string[];
  labels: Record<string, string>;
  events: RuntimeEvents;
  /** Runs after every start, once the container runs (puts its network faults back). */
  afterStart: (name: string) => Promise<void>;
}

/**
 * One node as a Docker container: created by the first start, started again
 * after a stop or a kill (a restart is always stop-or-kill, then start, so a
 * SIGKILL restart is a real SIGKILL on every engine). Its output is followed
 * with `docker logs`, its exits with `docker wait`.
 */
export class ContainerNode implements RuntimeNode {
  readonly name: string;
  readonly address: string;
  readonly url: string;
  readonly socketPath = undefined;
  private created = false;
  private isRunning = false;
  private stopping = false;
  private lastCrash: NodeExit | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly lines: string[] = [];
  private readonly followers = new Set<ResultPromise>();

  constructor(private readonly spec: ContainerSpec) {
    this.name = spec.name;
    this.address = `${spec.ip}:${spec.port}`;
    this.url = `http://127.0.0.1:${spec.hostPort}`;
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

  async start(): Promise<void> {
    this.lastCrash = undefined;
    this.stopping = false;
    const since = (Date.now() / 1000).toFixed(3);
    if (!this.created) {
      const s = this.spec;
      const labels = Object.entries(s.labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
      const r = await tryDocker([
        "run", "-d",
        "--name", s.container,
        ...labels,
        "--network", s.network,
        "--ip", s.ip,
        "--cap-add", "NET_ADMIN",
        "-p", `127.0.0.1:${s.hostPort}:${s.port}`,
        "-v", `${s.volume}:/app/data`,
        "-e", "DATA_DIR=/app/data",
        "-e", `ADDR=${this.address}`,
        "-e", `PEERS=${s.peers.join(",")}`,
        s.image,
      ]);
      if (r.code !== 0) throw startFailure(this.name, r.stderr || r.stdout);
      this.created = true;
    } else {
      const r = await tryDocker(["start", this.spec.container]);
      if (r.code !== 0) throw startFailure(this.name, r.stderr || r.stdout);
    }
    this.isRunning = true;
    this.follow(since);
    this.exited = this.watchExit();
    await this.spec.afterStart(this.name).catch(() => {
      // the container may already have exited; its crash is reported by watchExit
    });
  }

  async stop(graceMs: number): Promise<void> {
    if (!this.isRunning) return;
    this.stopping = true;
    await tryDocker(["stop", "--time", String(Math.max(1, Math.ceil(graceMs / 1000))), this.spec.container]);
    await this.exited;
  }

  async kill(): Promise<void> {
    if (!this.isRunning) return;
    this.stopping = true;
    await tryDocker(["kill", "--signal", "SIGKILL", this.spec.container]);
    await this.exited;
  }

  async exitWithin(ms: number): Promise<boolean> {
    if (!this.isRunning) return true;
    return settlesWithin(this.exited, ms);
  }

  /** Stops following logs and exits; the container itself is removed by the runtime. */
  detach(): void {
    for (const p of this.followers) p.kill("SIGKILL");
    this.followers.clear();
  }

  /** Resolves when the container's process ends; reports it as a crash unless we asked for it. */
  private async watchExit(): Promise<void> {
    const out = await tryDocker(["wait", this.spec.container]);
    const code = Number(out.stdout.trim());
    this.isRunning = false;
    if (!this.stopping) {
      // 137 = killed by SIGKILL, 143 = SIGTERM: docker reports signals as 128 + n.
      const signal = code === 137 ? "SIGKILL" : code === 143 ? "SIGTERM" : null;
      this.lastCrash = { code: signal ? null : Number.isFinite(code) ? code : null, signal, at: Date.now() };
      this.spec.events.crashed(this.name, this.lastCrash);
    }
  }

  private follow(since: string): void {
    const p = dockerProcess(["logs", "--follow", "--timestamps", "--since", since, this.spec.container]);
    this.followers.add(p);
    const onLine = (stamped: string) => {
      const { at, line } = splitTimestamp(stamped);
      if (line.trim() === "") return;
      this.lines.push(line);
      if (this.lines.length > KEPT_LINES) this.lines.shift();
      this.spec.events.output(this.name, line, at);
    };
    createInterface({ input: p.stdout! }).on("line", onLine);
    createInterface({ input: p.stderr! }).on("line", onLine);
    void p.finally(() => this.followers.delete(p));
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
