import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { release } from "node:os";
import { join } from "node:path";
import { NamespaceFaults, namespaceMechanisms } from "../../faults/namespaceFaults.js";
import type { FaultKind, FaultMechanism, NetworkFaults } from "../../faults/mechanisms.js";
import { RuntimeError } from "../../util/errors.js";
import type { Runtime, RuntimeEvents, RuntimeNode } from "../runtime.js";
import { detectCapabilities } from "../sandbox/capabilities.js";
import { ContainerNode } from "./containerNode.js";
import { checkDaemon, docker, tryDocker } from "./dockerCli.js";

// The public test environment, on the user's Docker engine: an image built
// from the challenge directory's Dockerfile, network clstr-net on
// 10.0.42.0/24, one container per node at .101, .102, ... with NET_ADMIN, a
// volume per node at /app/data, port 8080 published on loopback.

export const DOCKER_NETWORK = "clstr-net";
export const DOCKER_SUBNET = "10.0.42.0/24";
const NODE_PORT = 8080;
const LABEL = "io.clstr";

export interface DockerRuntimeOptions {
  cwd: string;
  challenge: string;
  runId: string;
  /** Things the user should know about (leftovers removed). */
  notice: (message: string) => void;
}

export class DockerRuntime implements Runtime {
  private nodes: ContainerNode[] = [];
  private fault: NamespaceFaults | undefined;
  private built = false;

  private constructor(
    private readonly opts: DockerRuntimeOptions,
    private readonly engine: string,
    readonly faultMechanisms: Readonly<Record<FaultKind, FaultMechanism>>,
  ) {}

  /** Checks the CLI and the daemon, and which impairments the engine's kernel supports. */
  static async create(opts: DockerRuntimeOptions): Promise<DockerRuntime> {
    const info = await checkDaemon();
    // With a daemon on this very kernel, what the sandbox found about netem
    // holds for the containers too; a remote engine (Docker Desktop's VM)
    // is assumed to have it, and a missing qdisc is reported when used.
    const sameKernel = process.platform === "linux" && info.kernel === release();
    const netem = sameKernel ? (await detectCapabilities()).netem : { available: true };
    return new DockerRuntime(opts, `Docker ${info.serverVersion}`, dockerMechanisms(netem.available, info.kernel));
  }

  get description(): string {
    return `docker (${this.engine}, network ${DOCKER_NETWORK} on ${DOCKER_SUBNET})`;
  }

  get faults(): NetworkFaults | undefined {
    return this.fault;
  }

  private get image(): string {
    return `clstr-${this.opts.challenge}`;
  }

  private containerName(node: string): string {
    return `clstr-${this.opts.challenge}-${node}`;
  }

  async build(): Promise<void> {
    if (this.built) return;
    if (!existsSync(join(this.opts.cwd, "Dockerfile"))) {
      throw new RuntimeError(
        `There is no Dockerfile in ${this.opts.cwd}; the Docker runtime builds the nodes' image from it (\`clstr init\` writes one for your language), or use \`--runtime local\` with a \`run:\` command.`,
      );
    }
    const r = await tryDocker(["build", "-t", this.image, "--label", `${LABEL}=true`, "."], { cwd: this.opts.cwd });
    if (r.code !== 0) {
      throw new RuntimeError(
        `The Docker image build failed (exit code ${r.code}); fix the Dockerfile or the build (its output is below) and run again.`,
        lastLines(`${r.stdout}\n${r.stderr}`, 40),
      );
    }
    this.built = true;
  }

  async createNodes(names: readonly string[], events: RuntimeEvents): Promise<RuntimeNode[]> {
    await this.closeNodes();
    await this.removeLeftovers(names);
    await this.createNetwork();
    const ips = names.map((_, i) => `10.0.42.${101 + i}`);
    const addresses = ips.map((ip) => `${ip}:${NODE_PORT}`);
    const ports = await Promise.all(names.map(() => freeLoopbackPort()));
    const exec = async (node: string, argv: string[]) => {
      const target = this.nodes.find((n) => n.name === node);
      if (!target?.running) return;
      await docker(["exec", this.containerName(node), ...argv]);
    };
    const faults = new NamespaceFaults({ exec }, this.faultMechanisms, this.faultMechanisms.delay.available ? { kind: "netem" } : { kind: "fallback" });
    this.fault = faults;
    this.nodes = names.map(
      (name, i) =>
        new ContainerNode({
          name,
          container: this.containerName(name),
          volume: `${this.containerName(name)}-data`,
          image: this.image,
          network: DOCKER_NETWORK,
          ip: ips[i]!,
          port: NODE_PORT,
          hostPort: ports[i]!,
          peers: addresses.filter((_, j) => j !== i),
          labels: { [LABEL]: "true", [`${LABEL}.challenge`]: this.opts.challenge, [`${LABEL}.run`]: this.opts.runId },
          events,
          afterStart: (node) => faults.restore(node),
        }),
    );
    return this.nodes;
  }

  async close(): Promise<void> {
    await this.closeNodes();
  }

  private async closeNodes(): Promise<void> {
    if (this.nodes.length === 0) return;
    const names = this.nodes.map((n) => n.name);
    for (const n of this.nodes) n.detach();
    this.nodes = [];
    this.fault = undefined;
    await this.removeEverything(names);
  }

  /** Removes what an earlier run that crashed or was interrupted left behind, and says what. */
  private async removeLeftovers(names: readonly string[]): Promise<void> {
    const removed = await this.removeEverything(names);
    if (removed.length > 0) this.opts.notice(`removed leftovers of an earlier run: ${removed.join(", ")}`);
  }

  /** Removes this challenge's containers and volumes and the clstr network; returns what existed. */
  private async removeEverything(names: readonly string[]): Promise<string[]> {
    const removed: string[] = [];
    const containers = new Set(names.map((n) => this.containerName(n)));
    const listed = await tryDocker(["ps", "-a", "--format", "{{.Names}}", "--filter", `name=^clstr-${this.opts.challenge}-`]);
    for (const c of listed.stdout.split("\n").map((l) => l.trim()).filter(Boolean)) containers.add(c);
    const present = (await tryDocker(["ps", "-a", "--format", "{{.Names}}"])).stdout.split("\n").map((l) => l.trim());
    const toRemove = [...containers].filter((c) => present.includes(c));
    if (toRemove.length > 0) {
      await tryDocker(["rm", "-f", "-v", ...toRemove]);
      removed.push(`container${toRemove.length > 1 ? "s" : ""} ${toRemove.join(", ")}`);
    }
    const volumes = (await tryDocker(["volume", "ls", "-q", "--filter", `name=clstr-${this.opts.challenge}-`])).stdout
      .split("\n")
      .map((l) => l.trim())
      .filter((v) => /-data$/.test(v));
    if (volumes.length > 0) {
      await tryDocker(["volume", "rm", "-f", ...volumes]);
      removed.push(`volume${volumes.length > 1 ? "s" : ""} ${volumes.join(", ")}`);
    }
    const network = await tryDocker(["network", "inspect", DOCKER_NETWORK, "--format", "{{range .Containers}}{{.Name}} {{end}}"]);
    if (network.code === 0) {
      const attached = network.stdout.trim().split(/\s+/).filter(Boolean);
      if (attached.length > 0) await tryDocker(["rm", "-f", ...attached]);
      await tryDocker(["network", "rm", DOCKER_NETWORK]);
      removed.push(`network ${DOCKER_NETWORK}`);
    }
    return removed;
  }

  private async createNetwork(): Promise<void> {
    const r = await tryDocker(["network", "create", "--subnet", DOCKER_SUBNET, "--label", `${LABEL}=true`, DOCKER_NETWORK]);
    if (r.code === 0) return;
    if (/overlap/i.test(r.stderr)) {
      const owner = await networkOwningSubnet();
      throw new RuntimeError(
        `The subnet ${DOCKER_SUBNET} is already used by another Docker network${owner ? ` (${owner})` : ""}; remove it${owner ? ` (\`docker network rm ${owner}\`)` : ""} and run again.`,
      );
    }
    throw new RuntimeError(`Docker could not create the network ${DOCKER_NETWORK}: ${r.stderr.trim().split("\n")[0]}`);
  }
}

/** The Docker runtime's fault mechanisms: iptables and netem inside the containers, as in the public environment. */
export function dockerMechanisms(netem: boolean, kernel: string): Record<FaultKind, FaultMechanism> {
  return namespaceMechanisms({
    partition: "iptables inside the containers",
    netem: netem ? "tc netem inside the containers" : undefined,
    lossWithoutNetem: "iptables statistic match inside the containers, as the engine's kernel has no netem",
    withoutNetem: {
      available: false,
      reason: `the Docker engine's kernel (${kernel || "unknown"}) has no sch_netem, which the Docker runtime needs to delay, duplicate or reorder packets`,
    },
  });
}

async function networkOwningSubnet(): Promise<string | undefined> {
  const ids = (await tryDocker(["network", "ls", "-q"])).stdout.split("\n").filter(Boolean);
  if (ids.length === 0) return undefined;
  const r = await tryDocker(["network", "inspect", "--format", "{{.Name}} {{range .IPAM.Config}}{{.Subnet}} {{end}}", ...ids]);
  return r.stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .find((parts) => parts.slice(1).includes(DOCKER_SUBNET))?.[0];
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split("\n").slice(-n).join("\n");
}
