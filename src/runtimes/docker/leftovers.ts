import { RuntimeError } from "../../util/errors.js";
import { machineLockAddress, takeLock, type KernelLock } from "../kernelLock.js";
import type { DockerCli } from "./dockerCli.js";
import { LABEL, ownerAlive, ownerLabels, ownerOf, type Owner } from "./owner.js";

// Another run's resources are left alone while the CLI that owns them runs
// (see owner.ts): only what a dead run left, or what names no owner at all
// (an older clstr, or made by hand), is removed.

interface Resource {
  name: string;
  owner: Owner | undefined;
}

/**
 * Takes this machine's lock on the engine's network (see ../kernelLock.ts),
 * held until the run has removed everything, or refuses naming the run that
 * holds it. Two runs started at the same moment cannot both pass: the kernel
 * gives the lock to one. (A run on another machine sharing the engine is
 * caught by the network's labels instead, see refuseWhenTaken.)
 */
export async function lockNetwork(engineId: string, network: string, self: Owner): Promise<KernelLock> {
  // The holder answers with its owner's labels, as the network would carry them.
  const taken = await takeLock(machineLockAddress(`docker-network ${engineId} ${network}`), JSON.stringify(ownerLabels(self)));
  if ("lock" in taken) return taken.lock;
  const holder = taken.holder === undefined ? undefined : ownerOf(parseLabels(taken.holder));
  if (holder) throw networkTaken(network, holder);
  throw new RuntimeError(`Another clstr run is using the Docker network ${network}; wait for it to finish or stop it, then run again.`);
}

/**
 * Refuses at once when a live run owns the network: the network's name and
 * subnet are fixed, so two runs cannot both have it.
 */
export async function refuseWhenTaken(cli: DockerCli, network: string, self: Owner): Promise<void> {
  const r = await cli.try(["network", "inspect", network, "--format", "{{json .Labels}}"]);
  if (r.code !== 0) return;
  const owner = ownerOf(parseLabels(r.stdout));
  if (owner && owner.runId !== self.runId && ownerAlive(owner)) throw networkTaken(network, owner);
}

export function networkTaken(network: string, o: Owner): RuntimeError {
  const where = `${o.dir || "another directory"}${o.host && o.host !== "" ? ` on ${o.host}` : ""}`;
  return new RuntimeError(
    `Another clstr run (PID ${o.pid} in ${where}) is using the Docker network ${network}; wait for it to finish or stop it (\`kill ${o.pid}\`), then run again.`,
  );
}

/**
 * Removes what earlier runs that crashed or were interrupted left on the
 * engine: their containers, their nodes' volumes, and the network with
 * whatever is still attached to it. Returns what it removed, for the notice
 * ("container clstr-kv-store-n1, volume …, network …").
 */
export async function removeLeftovers(cli: DockerCli, challenge: string, network: string): Promise<string[]> {
  const prefix = `clstr-${challenge}-`;
  const [containers, volumes, net] = await Promise.all([
    resources(cli, ["ps", "-aq", "--filter", `label=${LABEL}.run`], ["ps", "-aq", "--filter", `name=^${prefix}`], "container", "{{.Name}}\t{{json .Config.Labels}}"),
    resources(cli, ["volume", "ls", "-q", "--filter", `label=${LABEL}.run`], ["volume", "ls", "-q", "--filter", `name=${prefix}`], "volume", "{{.Name}}\t{{json .Labels}}"),
    cli.try(["network", "inspect", network, "--format", "{{json .Labels}}\t{{range .Containers}}{{.Name}} {{end}}"]),
  ]);
  const dead = (r: Resource) => (r.owner ? !ownerAlive(r.owner) : true);
  const doomedContainers = containers.filter(dead).map((c) => c.name);
  const doomedVolumes = volumes.filter((v) => dead(v) && (v.owner !== undefined || (v.name.startsWith(prefix) && v.name.endsWith("-data")))).map((v) => v.name);
  let attached: string[] | undefined;
  if (net.code === 0) {
    const [labels = "", members = ""] = net.stdout.trim().split("\t");
    const owner = ownerOf(parseLabels(labels));
    if (!owner || !ownerAlive(owner)) attached = members.split(/\s+/).filter(Boolean);
  }
  const doomed = [...new Set([...doomedContainers, ...(attached ?? [])])];
  if (doomed.length > 0) await cli.try(["rm", "-f", ...doomed]);
  await Promise.all([
    doomedVolumes.length > 0 ? cli.try(["volume", "rm", "-f", ...doomedVolumes]) : undefined,
    attached ? cli.try(["network", "rm", network]) : undefined,
  ]);
  return [
    ...(doomedContainers.length > 0 ? [`${plural("container", doomedContainers)} ${doomedContainers.join(", ")}`] : []),
    ...(doomedVolumes.length > 0 ? [`${plural("volume", doomedVolumes)} ${doomedVolumes.join(", ")}`] : []),
    ...(attached ? [`network ${network}`] : []),
  ];
}

/** The containers or volumes either listing finds, with their owners. */
async function resources(cli: DockerCli, labelled: string[], named: string[], kind: "container" | "volume", format: string): Promise<Resource[]> {
  const ids = [...new Set((await Promise.all([lines(cli, labelled), lines(cli, named)])).flat())];
  if (ids.length === 0) return [];
  const inspect = kind === "container" ? ["inspect", "--type", "container"] : ["volume", "inspect"];
  return (await lines(cli, [...inspect, "--format", format, ...ids])).map((line) => {
    const [name = "", labels = ""] = line.split("\t");
    return { name: name.replace(/^\//, ""), owner: ownerOf(parseLabels(labels)) };
  });
}

export function parseLabels(json: string): Record<string, string> | null | undefined {
  try {
    return JSON.parse(json) as Record<string, string> | null;
  } catch {
    return undefined;
  }
}

async function lines(cli: DockerCli, args: string[]): Promise<string[]> {
  return (await cli.try(args)).stdout
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

function plural(word: string, items: readonly string[]): string {
  return items.length > 1 ? `${word}s` : word;
}
