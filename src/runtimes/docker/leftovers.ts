import type { DockerCli } from "./dockerCli.js";

/**
 * Removes what an earlier run of this challenge that crashed or was
 * interrupted left on the engine: its containers, its nodes' volumes, the
 * network and whatever is still attached to it. Returns what existed, for
 * the notice ("container clstr-kv-store-n1, volume …, network …").
 * Three look-ups in parallel when there is nothing, which is the usual case.
 */
export async function removeLeftovers(cli: DockerCli, challenge: string, network: string): Promise<string[]> {
  const prefix = `clstr-${challenge}-`;
  const [containers, volumes, attached] = await Promise.all([
    lines(cli, ["ps", "-a", "--format", "{{.Names}}", "--filter", `name=^${prefix}`]),
    lines(cli, ["volume", "ls", "-q", "--filter", `name=${prefix}`]).then((vs) => vs.filter((v) => v.startsWith(prefix) && v.endsWith("-data"))),
    networkMembers(cli, network),
  ]);
  const doomed = [...new Set([...containers, ...(attached ?? [])])];
  if (doomed.length > 0) await cli.try(["rm", "-f", ...doomed]);
  await Promise.all([
    volumes.length > 0 ? cli.try(["volume", "rm", "-f", ...volumes]) : undefined,
    attached ? cli.try(["network", "rm", network]) : undefined,
  ]);
  return [
    ...(containers.length > 0 ? [`${plural("container", containers)} ${containers.join(", ")}`] : []),
    ...(volumes.length > 0 ? [`${plural("volume", volumes)} ${volumes.join(", ")}`] : []),
    ...(attached ? [`network ${network}`] : []),
  ];
}

/** The containers attached to the network, or undefined when there is no such network. */
async function networkMembers(cli: DockerCli, network: string): Promise<string[] | undefined> {
  const r = await cli.try(["network", "inspect", network, "--format", "{{range .Containers}}{{.Name}} {{end}}"]);
  return r.code === 0 ? r.stdout.trim().split(/\s+/).filter(Boolean) : undefined;
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
