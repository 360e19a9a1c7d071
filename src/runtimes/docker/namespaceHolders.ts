import { RuntimeError } from "../../util/errors.js";
import type { DockerCli } from "./dockerCli.js";

// A node's network namespace, held by a companion container: `sh` from the
// node's own image, waiting on a stdin that stays open. The holder owns the
// node's address on the network and its published port; the node's container
// joins the holder's namespace (`--network container:…`). Starting and
// stopping a container without a network endpoint of its own takes less than
// half the time (no veth, no address, no port mapping to set up or tear
// down), and network faults made inside the holder survive the node's
// restarts, as a partition survives a process crash on a real machine.

export interface HolderSpec {
  node: string;
  /** The holder's container name. */
  container: string;
  /** The node container's name, resolvable on the network as the node. */
  alias: string;
  network: string;
  ip: string;
  port: number;
  hostPort: number;
  labels: Record<string, string>;
}

/** How a node's container joins the network: into its holder's namespace, or with an address and a port of its own. */
export type Placement = { kind: "held"; holder: string } | { kind: "own" };

export class NamespaceHolders {
  /** Whether the image can hold a namespace (has `sh`); unknown until the first holder starts. */
  private usable: boolean | undefined;
  /** Per node, its running holder. */
  private readonly held = new Map<string, string>();

  constructor(
    private readonly cli: DockerCli,
    /** Called before a container is created, so that the run can remove it whatever happens. */
    private readonly willCreate: (container: string) => void,
  ) {}

  /** Places each node, starting the holders that are missing (in parallel); own namespaces when the image has no `sh`. */
  async place(specs: readonly HolderSpec[], image: string): Promise<Placement[]> {
    if (this.usable !== false) {
      const missing = specs.filter((s) => !this.held.has(s.node));
      const results = await Promise.all(missing.map((s) => this.start(s, image)));
      const failed = results.filter((r) => r !== undefined);
      if (failed.length > 0) await this.giveUp(missing, failed);
    }
    return specs.map((s) => {
      const holder = this.held.get(s.node);
      return holder ? { kind: "held", holder } : { kind: "own" };
    });
  }

  /** Forgets the holders of these nodes (all when undefined) and returns their containers, for the caller to remove. */
  release(nodes?: readonly string[]): string[] {
    const released = [...this.held].filter(([node]) => !nodes || nodes.includes(node));
    for (const [node] of released) this.held.delete(node);
    return released.map(([, container]) => container);
  }

  /** Starts one holder; returns docker's output when it failed. */
  private async start(s: HolderSpec, image: string): Promise<string | undefined> {
    this.willCreate(s.container);
    const labels = Object.entries(s.labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
    const r = await this.cli.try([
      "run", "-d", "-i",
      "--name", s.container,
      ...labels,
      "--network", s.network,
      "--ip", s.ip,
      "--network-alias", s.alias,
      "--cap-add", "NET_ADMIN",
      // A restart in a fresh namespace leaves no TIME_WAIT sockets behind; this
      // namespace outlives the node's process, so it keeps none either (a server
      // that binds its port without SO_REUSEADDR restarts as it would there).
      "--sysctl", "net.ipv4.tcp_max_tw_buckets=0",
      "-p", `127.0.0.1:${s.hostPort}:${s.port}`,
      "--entrypoint", "sh",
      image,
    ]);
    if (r.code !== 0) return r.stderr || r.stdout;
    this.usable = true;
    this.held.set(s.node, s.container);
    return undefined;
  }

  /**
   * Holders that did not start. The first time, whatever the reason (no `sh`
   * in the image, a kernel that keeps TIME_WAIT sockets outside network
   * namespaces), the nodes get namespaces of their own from then on, and a
   * problem that is not the holders' shows when the nodes start. Once holders
   * have worked, a failure is an error.
   */
  private async giveUp(attempted: readonly HolderSpec[], failures: readonly string[]): Promise<void> {
    await this.cli.try(["rm", "-f", ...attempted.map((s) => s.container)]);
    for (const s of attempted) this.held.delete(s.node);
    if (this.usable === undefined) {
      this.usable = false;
      return;
    }
    const text = failures[0]!.trim();
    if (/port is already allocated|address already in use/i.test(text)) {
      throw new RuntimeError("A node's published port on 127.0.0.1 is already taken; stop whatever uses it and run again.", text);
    }
    throw new RuntimeError(`Docker could not give the nodes their network: ${text.split("\n")[0]}`, text);
  }
}
