import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import type { FaultKind, FaultMechanism, NetworkFaults } from "../../faults/mechanisms.js";
import { NamespaceFaults, namespaceMechanisms } from "../../faults/namespaceFaults.js";
import { RuntimeError } from "../../util/errors.js";
import { clusterEnv, type ClusterEnv, type Runtime, type RuntimeEvents, type RuntimeNode } from "../runtime.js";
import { detectCapabilities, type Capabilities } from "../sandbox/capabilities.js";
import { ContainerNode } from "./containerNode.js";
import { checkDaemon, DockerCli, firstLine, type DockerInfo, type DockerResult } from "./dockerCli.js";
import { Reaper } from "../local/reaperClient.js";
import type { KernelLock } from "../kernelLock.js";
import { lockNetwork, networkTaken, parseLabels, refuseWhenTaken, removeLeftovers } from "./leftovers.js";
import { NamespaceHolders, type Placement } from "./namespaceHolders.js";
import { currentOwner, LABEL, ownerLabels, ownerOf, volumeLabels, type Owner } from "./owner.js";
import { DockerTimings } from "./timings.js";

// The public test environment, on the user's Docker engine: an image built
// from the challenge directory's Dockerfile, network clstr-net on
// 10.0.42.0/24, one container per node at .101, .102, ... with NET_ADMIN, a
// volume per node at /app/data, port 8080 published on loopback.
//
// One run (`--so-far` runs several stages) builds the image once, creates
// the network once, and keeps each node's network namespace (see
// namespaceHolders.ts) from stage to stage; each stage gets new node
// containers and empty volumes. Everything is removed at close, or by the
// reaper (see ../local/reaper.ts) if clstr dies first. Every resource carries
// the run's id and its owner (see owner.ts); the network's name and subnet
// are fixed, so a run holds a machine-wide lock on the network for as long as
// it runs (see leftovers.ts), and a second run refuses while one holds it.

export const DOCKER_NETWORK = "clstr-net";
export const DOCKER_SUBNET = "10.0.42.0/24";
const NODE_PORT = 8080;

export interface DockerRuntimeOptions {
  cwd: string;
  challenge: string;
  runId: string;
  /** Things the user should know about (leftovers removed). */
  notice: (message: string) => void;
}

/** A stage's nodes and what the next stage (or close) removes to wipe their data. */
interface StageNodes {
  nodes: ContainerNode[];
  containers: string[];
  volumes: string[];
}

/** Work that starts as soon as the engine answers: the image build, and the engine made ready for the nodes. */
interface EarlyWork {
  /** The built image's id: a concurrent run's build may retag the image's name, never its id. */
  image: Promise<string>;
  engine: Promise<void>;
  cancelBuild: AbortController;
}

export class DockerRuntime implements Runtime {
  private stage: StageNodes | undefined;
  private fault: NamespaceFaults | undefined;
  /** Whether a fault was made in this stage's namespaces: then the next stage gets new ones. */
  private faultsMade = false;
  private readonly holders: NamespaceHolders;
  /** Every container and volume this run may have created, for close. */
  private readonly created = { containers: new Set<string>(), volumes: new Set<string>() };
  /** Per node name, the loopback port its 8080 is published on, kept for the run. */
  private readonly hostPorts = new Map<string, number>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly opts: DockerRuntimeOptions,
    private readonly engineName: string,
    readonly faultMechanisms: Readonly<Record<FaultKind, FaultMechanism>>,
    private readonly cli: DockerCli,
    private readonly timings: DockerTimings,
    private readonly early: EarlyWork,
    private readonly owner: Owner,
    private readonly reaper: Reaper,
    private readonly networkLock: KernelLock,
  ) {
    this.holders = new NamespaceHolders(cli, (c) => this.created.containers.add(c));
  }

  /**
   * Checks the CLI and the daemon, and which impairments the engine's kernel
   * supports; the image build and the network start meanwhile.
   */
  static async create(opts: DockerRuntimeOptions): Promise<DockerRuntime> {
    const timings = new DockerTimings();
    const reaper = new Reaper();
    const cli = new DockerCli((args) => timings.call(args), reaper);
    // Detected while the daemon answers; needed only when it runs on this kernel.
    const capabilities = process.platform === "linux" ? detectCapabilities() : Promise.resolve(undefined);
    const owner = currentOwner(opts.runId, opts.cwd);
    let lock: KernelLock | undefined;
    const info = await timings
      .time("engine", async () => {
        const daemon = await checkDaemon(cli);
        // Before any stage starts: the network's name and subnet are fixed, so a live run that has it means this one cannot run.
        lock = await lockNetwork(daemon.id, DOCKER_NETWORK, owner);
        await refuseWhenTaken(cli, DOCKER_NETWORK, owner);
        return daemon;
      })
      .catch(async (err: unknown) => {
        await Promise.all([capabilities, reaper.close(), lock?.release()]);
        throw err;
      });
    reaper.watchDocker(opts.runId);
    const early = startEarly(opts, owner, cli, timings, reaper);
    const mechanisms = await timings.time("engine", async () => mechanismsOf(info, await capabilities));
    return new DockerRuntime(opts, `Docker ${info.serverVersion}`, mechanisms, cli, timings, early, owner, reaper, lock!);
  }

  get description(): string {
    return `docker (${this.engineName}, network ${DOCKER_NETWORK} on ${DOCKER_SUBNET})`;
  }

  get faults(): NetworkFaults | undefined {
    return this.fault;
  }

  /** Waits for the image (built once per run) and the network. */
  async build(): Promise<void> {
    await Promise.all([this.early.image, this.early.engine]);
  }

  /**
   * Every node gets its namespace holder (so a partition that names a spare
   * holds from its first packet) and its volume name now; a node's container
   * is created by its first start, so a spare never started has none.
   */
  async createNodes(names: readonly string[], events: RuntimeEvents, members: readonly string[]): Promise<RuntimeNode[]> {
    await this.retireStage(names);
    this.timings.beginStage();
    await this.build();
    const image = await this.early.image;
    const placements = await this.timings.time("network", () => this.place(names));
    const faults = new NamespaceFaults(
      { exec: (node, argv) => this.exec(node, placements[names.indexOf(node)], argv) },
      this.faultMechanisms,
      this.faultMechanisms.delay.available ? { kind: "netem" } : { kind: "fallback" },
    );
    this.fault = faults;
    const addresses = names.map((_, i) => `${ipOf(i)}:${NODE_PORT}`);
    const nodes = names.map(
      (name, i) =>
        new ContainerNode({
          name,
          container: containerName(this.opts.challenge, name),
          runArgs: this.runArgs(name, i, placements[i]!, addresses[i]!, clusterEnv(names, addresses, members, i), image),
          address: addresses[i]!,
          url: `http://127.0.0.1:${this.hostPorts.get(name)!}`,
          events,
          // A held namespace keeps its faults across restarts; an own one is new after each.
          afterStart: placements[i]!.kind === "own" ? (node) => faults.restore(node) : async () => {},
          cli: this.cli,
          timings: this.timings,
        }),
    );
    const containers = names.map((n) => containerName(this.opts.challenge, n));
    const volumes = containers.map(volumeName);
    for (const c of containers) this.created.containers.add(c);
    for (const v of volumes) this.created.volumes.add(v);
    this.stage = { nodes, containers, volumes };
    return nodes;
  }

  /** Stops every node and removes everything the run created; waits for every docker process it started. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.teardown();
    return this.closing;
  }

  private async teardown(): Promise<void> {
    this.cli.seal();
    this.early.cancelBuild.abort();
    await this.cli.settle(); // a `docker run` in flight still creates its container: let it, then remove it
    const cli = this.cli.sibling();
    await this.timings.time("cleanup", async () => {
      const retired = (this.stage?.nodes ?? []).map((n) => n.retire());
      this.stage = undefined;
      this.fault = undefined;
      const containers = [...this.created.containers];
      if (containers.length > 0) await cli.try(["rm", "-f", ...containers]);
      await Promise.all(retired);
      const volumes = [...this.created.volumes];
      await Promise.all([
        volumes.length > 0 ? cli.try(["volume", "rm", "-f", ...volumes]) : undefined,
        this.early.engine.then(
          () => cli.try(["network", "rm", DOCKER_NETWORK]),
          () => undefined, // never created
        ),
      ]);
    });
    await Promise.all([this.cli.drain("SIGKILL"), cli.drain("SIGKILL")]);
    this.reaper.forgetDocker(this.opts.runId);
    await Promise.all([this.reaper.close(), this.networkLock.release()]);
    this.timings.write();
  }

  /**
   * Removes the previous stage's node containers and their volumes, so this
   * stage starts with empty data; the namespaces stay unless a fault was made
   * in them or the next stage has no such node.
   */
  private async retireStage(next: readonly string[]): Promise<void> {
    const stage = this.stage;
    if (!stage) return;
    this.stage = undefined;
    this.fault = undefined;
    const stale = this.holders.release(this.faultsMade ? undefined : stage.nodes.map((n) => n.name).filter((n) => !next.includes(n)));
    this.faultsMade = false;
    await this.timings.time("cleanup", async () => {
      const retired = stage.nodes.map((n) => n.retire());
      await this.cli.try(["rm", "-f", ...stage.containers, ...stale]);
      await Promise.all(retired);
      await this.emptyVolumes(stage.volumes);
    });
  }

  /** Removes the volumes (the next containers get new, empty ones); a volume that stays would carry a stage's data into the next. */
  private async emptyVolumes(volumes: readonly string[]): Promise<void> {
    const r = await this.cli.try(["volume", "rm", "-f", ...volumes]);
    if (r.code === 0) return;
    throw new RuntimeError(
      `Docker could not remove the nodes' volumes before the next stage (${firstLine(r.stderr)}); remove them (\`docker volume rm -f ${volumes.join(" ")}\`) and run again.`,
    );
  }

  /** Gives each node its address and published port: in a namespace holder, or its own when the image cannot hold one. */
  private async place(names: readonly string[]): Promise<Placement[]> {
    const ports = await Promise.all(names.map((n) => this.hostPorts.get(n) ?? freeLoopbackPort()));
    names.forEach((n, i) => this.hostPorts.set(n, ports[i]!));
    const specs = names.map((name, i) => {
      const container = containerName(this.opts.challenge, name);
      return { node: name, container: `${container}-net`, alias: container, network: DOCKER_NETWORK, ip: ipOf(i), port: NODE_PORT, hostPort: ports[i]!, labels: this.labels() };
    });
    return this.holders.place(specs, await this.early.image);
  }

  private runArgs(name: string, index: number, placement: Placement, address: string, cluster: ClusterEnv, image: string): string[] {
    const container = containerName(this.opts.challenge, name);
    const network =
      placement.kind === "held"
        ? ["--network", `container:${placement.holder}`]
        : ["--network", DOCKER_NETWORK, "--ip", ipOf(index), "-p", `127.0.0.1:${this.hostPorts.get(name)!}:${NODE_PORT}`];
    return [
      "--name", container,
      ...Object.entries(this.labels()).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
      ...network,
      "--cap-add", "NET_ADMIN",
      "--mount", volumeMount(volumeName(container), volumeLabels(this.owner)),
      "-e", "DATA_DIR=/app/data",
      "-e", `ADDR=${address}`,
      "-e", `PEERS=${cluster.peers.join(",")}`,
      ...(cluster.join ? ["-e", "JOIN=true"] : []),
      image,
    ];
  }

  /** Runs a fault command in the node's namespace: in its holder, or in the node while it runs (an own namespace dies with it). */
  /** Runs a command in the node's namespace; its output (the iptables counters), or undefined while the node is down. */
  private async exec(node: string, placement: Placement | undefined, argv: string[]): Promise<string | undefined> {
    let target: string;
    if (placement?.kind === "held") target = placement.holder;
    else if (this.stage?.nodes.find((n) => n.name === node)?.running) target = containerName(this.opts.challenge, node);
    else return undefined;
    this.faultsMade = true;
    return this.cli.run(["exec", target, ...argv]);
  }

  private labels(): Record<string, string> {
    return { [LABEL]: "true", [`${LABEL}.challenge`]: this.opts.challenge, ...ownerLabels(this.owner) };
  }
}

/** Starts the image build and readies the engine (leftovers removed, network created), both in the background. */
function startEarly(opts: DockerRuntimeOptions, owner: Owner, cli: DockerCli, timings: DockerTimings, reaper: Reaper): EarlyWork {
  const cancelBuild = new AbortController();
  const image = timings.time("build", () => buildImage(opts, cli, cancelBuild.signal, reaper));
  const engine = readyEngine(opts, owner, cli, timings);
  // Awaited by build(); until then a failure must not count as unhandled.
  image.catch(() => {});
  engine.catch(() => {});
  return { image, engine, cancelBuild };
}

async function buildImage(opts: DockerRuntimeOptions, cli: DockerCli, cancel: AbortSignal, reaper: Reaper): Promise<string> {
  if (!existsSync(join(opts.cwd, "Dockerfile"))) {
    throw new RuntimeError(
      `There is no Dockerfile in ${opts.cwd}; the Docker runtime builds the nodes' image from it (\`clstr init\` writes one for your language), or use \`--runtime local\` with a \`run:\` command.`,
    );
  }
  // --force-rm: a failed build leaves no intermediate container behind; --iidfile: the id this build made.
  const idDir = mkdtempSync(join(tmpdir(), "clstr-image-"));
  reaper.watchDir(idDir);
  const idFile = join(idDir, "id");
  let r: DockerResult;
  let id = "";
  try {
    r = await cli.try(["build", "--force-rm", "--iidfile", idFile, "-t", imageName(opts.challenge), "--label", `${LABEL}=true`, "."], { cwd: opts.cwd, cancel });
    if (existsSync(idFile)) id = readFileSync(idFile, "utf8").trim();
  } finally {
    rmSync(idDir, { recursive: true, force: true });
    reaper.forgetDir(idDir);
  }
  if (r.code !== 0) {
    throw new RuntimeError(
      `The Docker image build failed (exit code ${r.code}); fix the Dockerfile or the build (its output is below) and run again.`,
      lastLines(`${r.stdout}\n${r.stderr}`, 40),
    );
  }
  return id || imageName(opts.challenge);
}

/** Removes what dead runs left; creates the network as this run's (refusing if a run that started meanwhile has it). */
async function readyEngine(opts: DockerRuntimeOptions, owner: Owner, cli: DockerCli, timings: DockerTimings): Promise<void> {
  const removed = await timings.time("leftovers", () => removeLeftovers(cli, opts.challenge, DOCKER_NETWORK));
  if (removed.length > 0) opts.notice(`removed leftovers of an earlier run: ${removed.join(", ")}`);
  await timings.time("network", () => createNetwork(cli, owner));
}

async function createNetwork(cli: DockerCli, owner: Owner): Promise<void> {
  const labels = Object.entries({ [LABEL]: "true", ...ownerLabels(owner) }).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
  const r = await cli.try(["network", "create", "--subnet", DOCKER_SUBNET, ...labels, DOCKER_NETWORK]);
  if (r.code === 0) return;
  if (/already exists/i.test(r.stderr)) {
    // Another run created it since we looked.
    const other = ownerOf(parseLabels((await cli.try(["network", "inspect", DOCKER_NETWORK, "--format", "{{json .Labels}}"])).stdout));
    if (other) throw networkTaken(DOCKER_NETWORK, other);
  }
  if (/overlap/i.test(r.stderr)) {
    const owner = await networkOwningSubnet(cli);
    throw new RuntimeError(
      `The subnet ${DOCKER_SUBNET} is already used by another Docker network${owner ? ` (${owner})` : ""}; remove it${owner ? ` (\`docker network rm ${owner}\`)` : ""} and run again.`,
    );
  }
  throw new RuntimeError(`Docker could not create the network ${DOCKER_NETWORK}: ${firstLine(r.stderr)}`);
}

/**
 * With a daemon on this very kernel, what the sandbox found about netem
 * holds for the containers too; a remote engine (Docker Desktop's VM) is
 * assumed to have it, and a missing qdisc is reported when used.
 */
function mechanismsOf(info: DockerInfo, capabilities: Capabilities | undefined): Record<FaultKind, FaultMechanism> {
  const sameKernel = capabilities !== undefined && info.kernel === release();
  return dockerMechanisms(sameKernel ? capabilities.netem.available : true, info.kernel);
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

function imageName(challenge: string): string {
  return `clstr-${challenge}`;
}

function containerName(challenge: string, node: string): string {
  return `clstr-${challenge}-${node}`;
}

function volumeName(container: string): string {
  return `${container}-data`;
}

/** A `--mount` for a named volume that Docker creates with these labels (its values hold no commas). */
function volumeMount(volume: string, labels: Record<string, string>): string {
  return [`type=volume`, `source=${volume}`, `target=/app/data`, ...Object.entries(labels).map(([k, v]) => `volume-label=${k}=${v}`)].join(",");
}

function ipOf(index: number): string {
  return `10.0.42.${101 + index}`;
}

async function networkOwningSubnet(cli: DockerCli): Promise<string | undefined> {
  const ids = (await cli.try(["network", "ls", "-q"])).stdout.split("\n").filter(Boolean);
  if (ids.length === 0) return undefined;
  const r = await cli.try(["network", "inspect", "--format", "{{.Name}} {{range .IPAM.Config}}{{.Subnet}} {{end}}", ...ids]);
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
