import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runBuildCommand } from "./buildCommand.js";
import { unavailable, type FaultKind, type FaultMechanism, type NetworkFaults } from "../../faults/mechanisms.js";
import { RuntimeError } from "../../util/errors.js";
import { clusterEnv, type ClusterEnv, type Runtime, type RuntimeEvents, type RuntimeNode } from "../runtime.js";
import type { NamespaceFaults } from "../../faults/namespaceFaults.js";
import { sandboxFaults, sandboxMechanisms } from "../sandbox/sandboxFaults.js";
import { detectCapabilities, type Capabilities } from "../sandbox/capabilities.js";
import { NODE_PORT, SandboxNetwork } from "../sandbox/sandboxNetwork.js";
import { allocateLoopback } from "./loopbackAddresses.js";
import { NodeProcess } from "./nodeProcess.js";
import { Reaper } from "./reaperClient.js";

export type Network = "sandbox" | "loopback";

export interface LocalRuntimeOptions {
  /** The challenge directory: `run:` and `build:` run here. */
  cwd: string;
  run: string;
  build?: string | undefined;
  /** Where the run keeps its files: per-node data (wiped when nodes are created), sockets. */
  runDir: string;
  /** Marks every node's environment so strays can be found (CLSTR_RUN_ID). */
  runId: string;
  /** Force a network; by default the sandbox where this machine supports it. */
  network?: Network | undefined;
}

/**
 * The embedded runtime: each node is a process of this machine, in its own
 * network namespace on a private bridge where Linux allows it (the sandbox),
 * otherwise on a loopback address of its own.
 */
export class LocalRuntime implements Runtime {
  private readonly nodes: NodeProcess[] = [];
  private reaper: Reaper | undefined;
  private sandbox: SandboxNetwork | undefined;
  private network: Network = "loopback";
  private caps: Capabilities | undefined;
  private fault: NamespaceFaults | undefined;
  private built = false;

  private constructor(private readonly opts: LocalRuntimeOptions) {}

  static async create(opts: LocalRuntimeOptions): Promise<LocalRuntime> {
    const runtime = new LocalRuntime(opts);
    const caps = await detectCapabilities();
    if (opts.network === "sandbox" && !caps.sandbox.available) {
      throw new RuntimeError(`The network sandbox is not available here: ${caps.sandbox.reason}.`);
    }
    runtime.network = opts.network ?? (caps.sandbox.available ? "sandbox" : "loopback");
    runtime.caps = caps;
    return runtime;
  }

  get faultMechanisms(): Readonly<Record<FaultKind, FaultMechanism>> {
    if (this.network === "sandbox") return sandboxMechanisms(this.caps!);
    const why = this.opts.network === "loopback"
      ? "CLSTR_NETWORK=loopback runs nodes as plain processes on loopback addresses"
      : `nodes run as plain processes on loopback addresses, as the network sandbox is not available (${this.caps?.sandbox.reason})`;
    return unavailable(why);
  }

  get faults(): NetworkFaults | undefined {
    return this.fault;
  }

  get description(): string {
    return this.network === "sandbox"
      ? "local (network sandbox: a namespace per node on 10.0.42.0/24)"
      : "local (processes on loopback addresses)";
  }

  async build(): Promise<void> {
    if (this.built || !this.opts.build) return;
    await runBuildCommand(this.opts.cwd, this.opts.build);
    this.built = true;
  }

  async createNodes(names: readonly string[], events: RuntimeEvents, members: readonly string[]): Promise<RuntimeNode[]> {
    await this.closeNodes();
    this.reaper ??= new Reaper();
    const dataRoot = join(this.opts.runDir, "data");
    rmSync(dataRoot, { recursive: true, force: true });
    const created =
      this.network === "sandbox" ? await this.sandboxNodes(names, members, events, dataRoot) : await this.loopbackNodes(names, members, events, dataRoot);
    this.nodes.push(...created);
    return created;
  }

  async close(): Promise<void> {
    await this.closeNodes();
    await this.reaper?.close();
    this.reaper = undefined;
  }

  private async closeNodes(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
    this.nodes.length = 0;
    await this.sandbox?.close();
    this.sandbox = undefined;
    this.fault = undefined;
  }

  private async loopbackNodes(names: readonly string[], members: readonly string[], events: RuntimeEvents, dataRoot: string): Promise<NodeProcess[]> {
    const addresses = await allocateLoopback(names.length);
    return names.map((name, i) => this.nodeProcess(name, addresses[i]!, clusterEnv(names, addresses, members, i), dataRoot, events));
  }

  private async sandboxNodes(names: readonly string[], members: readonly string[], events: RuntimeEvents, dataRoot: string): Promise<NodeProcess[]> {
    const net = await SandboxNetwork.open(this.opts.runDir, this.reaper!);
    this.sandbox = net;
    const byName = new Map<string, NodeProcess>();
    const pidOf = (node: string) => byName.get(node)?.pid;
    const faults = sandboxFaults(
          {
            exec: async (node, argv) => {
              const pid = pidOf(node);
              return pid === undefined ? undefined : net.exec(pid, argv);
            },
            spawn: async (node, argv) => {
              const pid = pidOf(node);
              if (pid !== undefined) await net.spawn(`queue-${node}`, pid, argv);
            },
            unspawn: (node) => net.unspawn(`queue-${node}`),
            cutDrops: () => net.cutDrops(),
          },
          await detectCapabilities(),
        );
    this.fault = faults;
    const hosts = names.map((_, i) => SandboxNetwork.hostOf(i));
    const addresses = hosts.map((h) => `${h}:${NODE_PORT}`);
    return Promise.all(
      names.map(async (name, i) => {
        const socketPath = await net.expose(name, hosts[i]!);
        const gate = async (pid: number) => {
          await net.attach(name, pid, hosts[i]!);
          await faults?.restore(name);
        };
        const node = this.nodeProcess(name, addresses[i]!, clusterEnv(names, addresses, members, i), dataRoot, events, { ...net.nodeCommand(), gate }, socketPath);
        byName.set(name, node);
        return node;
      }),
    );
  }

  private nodeProcess(
    name: string,
    address: string,
    cluster: ClusterEnv,
    dataRoot: string,
    events: RuntimeEvents,
    placement?: ConstructorParameters<typeof NodeProcess>[0]["placement"],
    socketPath?: string,
  ): NodeProcess {
    const dataDir = join(dataRoot, name);
    mkdirSync(dataDir, { recursive: true });
    return new NodeProcess({
      name,
      address,
      peers: cluster.peers,
      join: cluster.join,
      dataDir,
      command: this.opts.run,
      cwd: this.opts.cwd,
      env: { CLSTR_RUN_ID: this.opts.runId, CLSTR_NODE: name },
      reaper: this.reaper!,
      events,
      ...(placement ? { placement } : {}),
      ...(socketPath ? { socketPath } : {}),
    });
  }
}
