import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { RuntimeError } from "../../util/errors.js";
import { signalGroup, waitGroupGone } from "../local/processGroup.js";
import type { Reaper } from "../local/reaperClient.js";
import { settlesWithin } from "../../util/within.js";

export const SANDBOX_SUBNET = "10.0.42";
export const NODE_PORT = 8080;
/** How long the switch may take to stop its helpers and exit at the end of a run. */
const SWITCH_GRACE_MS = 2000;

type Reply = { id: number; ok: boolean; result?: unknown; error?: string };

/**
 * A private network for one run: a user namespace (so no root is needed)
 * holding a switch namespace with a bridge, and one network namespace per
 * node. Nothing in it has a route anywhere else. Everything it creates dies
 * with its processes, so teardown is killing them.
 */
export class SandboxNetwork {
  private nextId = 1;
  private exited: string | undefined;
  private stderr = "";
  private readonly waiting = new Map<number, (r: Reply) => void>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly socketDir: string,
    private readonly reaper: Reaper,
  ) {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const reply = JSON.parse(line) as Reply;
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
    child.stderr!.on("data", (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-2000)));
    child.once("exit", (code, signal) => {
      this.exited = `the sandbox switch exited (${signal ?? `code ${code}`})${this.stderr ? `: ${this.stderr.trim()}` : ""}`;
      for (const resolve of this.waiting.values()) resolve({ id: 0, ok: false, error: this.exited });
      this.waiting.clear();
    });
  }

  static async open(runDir: string, reaper: Reaper): Promise<SandboxNetwork> {
    // Unix socket paths are limited to about 100 bytes: keep them short.
    const socketDir = mkdtempSync(join(tmpdir(), "clstr-"));
    reaper.watchDir(socketDir);
    const script = fileURLToPath(new URL("./switch.js", import.meta.url));
    const child = spawn("unshare", ["--user", "--map-root-user", "--net", "--", process.execPath, script], {
      cwd: runDir,
      env: { ...process.env, ...reaper.env },
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    reaper.watch(child.pid!);
    const net = new SandboxNetwork(child, socketDir, reaper);
    await net.call({ op: "setup", bridgeCidr: `${SANDBOX_SUBNET}.1/24` });
    return net;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The node's address on the sandbox subnet: n1 = .101, n2 = .102, ... */
  static hostOf(index: number): string {
    return `${SANDBOX_SUBNET}.${101 + index}`;
  }

  /**
   * The command that starts a node in a fresh network namespace inside the
   * sandbox. It waits for one line on stdin (the network is ready) before it
   * runs the learner's command, taken from CLSTR_RUN.
   */
  nodeCommand(): { file: string; args: string[] } {
    return {
      file: "nsenter",
      args: ["-t", String(this.pid), "-U", "--preserve-credentials", "--", "unshare", "--net", "--",
        "sh", "-c", 'read ready_ || exit 1; exec sh -c "$CLSTR_RUN"'],
    };
  }

  async attach(node: string, pid: number, host: string): Promise<void> {
    await this.untilInOwnNamespace(pid);
    await this.call({ op: "attach", node, pid, cidr: `${host}/24` });
  }

  /**
   * The node's wrapper enters the sandbox's user namespace and then a new
   * network namespace right after it is spawned; its network can be set up
   * only once it is there.
   */
  private async untilInOwnNamespace(pid: number): Promise<void> {
    const ns = (p: number | "self") => {
      try {
        return readlinkSync(`/proc/${p}/ns/net`);
      } catch {
        return undefined;
      }
    };
    const taken = new Set([ns("self"), ns(this.pid)]);
    const deadline = Date.now() + 5000;
    for (;;) {
      const current = ns(pid);
      if (current === undefined) throw new RuntimeError("The node's process ended before its network namespace was ready.");
      if (!taken.has(current)) return;
      if (Date.now() > deadline) throw new RuntimeError("The node's process did not enter its network namespace within 5s.");
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Makes the node's port reachable from the harness; returns the unix socket path. */
  async expose(node: string, host: string): Promise<string> {
    const socket = join(this.socketDir, `${node}.sock`);
    await this.call({ op: "expose", node, host, port: NODE_PORT, socket });
    return socket;
  }

  /** Runs a command (iptables, tc) in a node's network namespace. */
  async exec(pid: number, argv: string[]): Promise<string> {
    const result = (await this.call({ op: "exec", pid, argv })) as { stdout: string };
    return result.stdout;
  }

  /**
   * Starts a long-running helper (under `key`) in a node's network namespace
   * and waits until it prints "ready"; replaces any helper under that key.
   */
  async spawn(key: string, pid: number, argv: string[]): Promise<void> {
    await this.call({ op: "spawn", key, pid, argv });
  }

  /**
   * Packets that neighbour cuts sent to DEAD_MAC since the network was
   * made, counted by the bridge's sink port; undefined when the switch
   * could not make the sink (this kernel's bridge lacks a flag it needs).
   */
  async cutDrops(): Promise<number | undefined> {
    const result = (await this.call({ op: "cut-drops" })) as { drops: number | null };
    return result.drops ?? undefined;
  }

  /** Stops the helper under `key`, if there is one. */
  async unspawn(key: string): Promise<void> {
    await this.call({ op: "unspawn", key });
  }

  /**
   * Ends the run's network: the switch stops its helpers, waits for them and
   * exits (the namespaces go with it). Whatever is still in its process group
   * after a grace period is killed. Resolves once nothing of it is left.
   */
  async close(): Promise<void> {
    const exited = this.exited ? Promise.resolve() : new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.stdin?.end();
    if (!(await settlesWithin(exited, SWITCH_GRACE_MS))) signalGroup(this.pid, "SIGKILL");
    await exited;
    signalGroup(this.pid, "SIGKILL");
    await waitGroupGone(this.pid, SWITCH_GRACE_MS);
    this.reaper.forget(this.pid);
    rmSync(this.socketDir, { recursive: true, force: true });
    this.reaper.forgetDir(this.socketDir);
  }

  private call(req: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    if (this.exited) return Promise.reject(new RuntimeError(`The network sandbox failed to ${String(req.op)}: ${this.exited}`));
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (reply) =>
        reply.ok ? resolve(reply.result) : reject(new RuntimeError(`The network sandbox failed to ${String(req.op)}: ${reply.error}`)),
      );
      this.child.stdin!.write(JSON.stringify({ id, ...req }) + "\n");
    });
  }
}
