import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { release } from "node:os";
import { fileURLToPath } from "node:url";
import pc from "picocolors";
import { describeMechanisms, type FaultKind, type FaultMechanism } from "../../faults/mechanisms.js";
import { checkDaemon } from "../../runtimes/docker/dockerCli.js";
import { DOCKER_NETWORK, DOCKER_SUBNET, dockerMechanisms } from "../../runtimes/docker/dockerRuntime.js";
import { detectCapabilities, type Capabilities, type Capability } from "../../runtimes/sandbox/capabilities.js";
import { sandboxMechanisms } from "../../runtimes/sandbox/sandboxFaults.js";
import { findPackageManager, hasCommand, install, isRoot } from "../../setup/packageManager.js";
import { missingTools, type Requirement } from "../../setup/requirements.js";
import { UserError } from "../../util/errors.js";

type DockerInfo = Awaited<ReturnType<typeof checkDaemon>>;

function line(name: string, cap: Capability, what: string): string {
  const mark = cap.available ? pc.green("✓") : pc.red("✗");
  return `${mark} ${name.padEnd(12)} ${what}${cap.available ? "" : pc.dim(` (${cap.reason})`)}`;
}

function faultLines(mechanisms: Record<FaultKind, FaultMechanism>): string[] {
  return Object.entries(mechanisms).map(
    ([kind, m]) => `${m.available ? pc.green("✓") : pc.red("✗")} ${describeMechanisms({ [kind]: m })[0]}`,
  );
}

/**
 * What this machine supports: runtimes and fault mechanisms, and why not.
 * With `--fix`, first installs what the default runtime needs for every
 * fault (as root), or prints the one command that would (as a normal user).
 * Exits 1 when the sandbox cannot inject every fault kind.
 */
export default async function doctor(opts: { fix?: boolean }): Promise<number> {
  if (opts.fix) await fix();
  const caps = await detectCapabilities({ fresh: opts.fix });
  const docker = await checkDaemon().then(
    (info): { cap: Capability; info?: DockerInfo } => ({ cap: { available: true }, info }),
    (err: Error): { cap: Capability; info?: DockerInfo } => ({ cap: { available: false, reason: err.message.replace(/\.$/, "") } }),
  );
  report(caps, docker);
  const sandboxFaults = Object.values(sandboxMechanisms(caps));
  const ready = caps.sandbox.available && sandboxFaults.every((m) => m.available);
  if (opts.fix) {
    console.log(ready ? `\n${pc.green("Ready:")} the network sandbox can inject every fault.` : `\n${pc.red("Not ready:")} see the ✗ lines above.`);
  }
  return ready || !opts.fix ? 0 : 1;
}

function report(caps: Capabilities, docker: { cap: Capability; info?: DockerInfo }): void {
  console.log("Runtimes:");
  console.log(line("sandbox", caps.sandbox, "each node in its own network namespace on 10.0.42.0/24 (the default local runtime)"));
  console.log(line("loopback", { available: true }, "plain processes on loopback addresses (fallback; no network faults)"));
  console.log(line("docker", docker.cap, docker.info ? `containers on ${DOCKER_NETWORK} (${DOCKER_SUBNET}), Docker ${docker.info.serverVersion}` : "containers built from your Dockerfile"));
  console.log("\nMechanisms:");
  console.log(line("iproute2", caps.sandbox, "`ip` in the sandbox's namespaces: wiring, and partitions by dead neighbour entries"));
  console.log(line("netem", caps.netem, "tc netem: delay, loss, duplication, reordering in the kernel"));
  console.log(line("iptables", caps.iptables, "iptables in the sandbox's namespaces: loss without netem, and the packet queue's rule"));
  console.log(line("packet queue", caps.packetQueue, "iptables NFQUEUE and a python3 helper: delay, duplication, reordering without netem"));
  console.log("\nFaults on the sandbox:");
  for (const l of faultLines(sandboxMechanisms(caps))) console.log(l);
  if (docker.info) {
    console.log("\nFaults on Docker:");
    const sameKernel = process.platform === "linux" && docker.info.kernel === release();
    for (const l of faultLines(dockerMechanisms(sameKernel ? caps.netem.available : true, docker.info.kernel))) console.log(l);
  }
  console.log(`\n${pc.green("✓")} ${"restarts".padEnd(12)} SIGTERM and SIGKILL to the node's whole process group`);
}

/**
 * Installs what the sandbox lacks, in up to two rounds: whether iptables and
 * python3 are needed depends on the kernel having netem, which only `tc`
 * (from the first round) can tell.
 */
async function fix(): Promise<void> {
  if (process.platform !== "linux") {
    console.log("Nothing to install: the network sandbox exists only on Linux; nodes run on loopback addresses here.\n");
    return;
  }
  if (isRoot()) allowUserNamespaces((await detectCapabilities({ fresh: true })).sandbox);
  let wanted = missingTools(await detectCapabilities({ fresh: true }), hasCommand);
  if (wanted.length === 0) {
    console.log("Nothing to install: this machine has every tool the network sandbox needs.\n");
    return;
  }
  const manager = findPackageManager();
  if (!isRoot()) {
    const self = fileURLToPath(new URL("../main.js", import.meta.url));
    throw new UserError(
      `This machine lacks ${names(wanted)} for the network sandbox's faults (${wanted.map((r) => r.why).join("; ")}); ` +
        `nothing was changed. Run as root: sudo ${process.execPath} ${self} doctor --fix`,
      1,
    );
  }
  if (!manager) {
    throw new UserError(`This machine lacks ${names(wanted)} and has no apt-get, dnf or apk to install them with: install them with your package manager, then run \`clstr doctor\`.`, 1);
  }
  for (let round = 0; round < 2 && wanted.length > 0; round++) {
    const packages = wanted.flatMap((r) => manager.packages(r.tool));
    console.log(`Installing ${packages.join(", ")} with ${manager.name}:`);
    for (const r of wanted) console.log(`  ${r.tool}: ${r.why}`);
    try {
      install(manager, packages);
    } catch (err) {
      throw new UserError(`Could not install ${packages.join(", ")}: ${(err as Error).message}. Install them by hand, then run \`clstr doctor\`.`, 1);
    }
    wanted = missingTools(await detectCapabilities({ fresh: true }), hasCommand);
  }
  console.log("");
}

/**
 * Kernel switches that forbid unprivileged user namespaces (Ubuntu's AppArmor
 * restriction, on GitHub's runners too; Debian's old clone switch), each with
 * the value that allows them. The sandbox runs nodes in user namespaces.
 */
const userNamespaceSwitches = [
  { file: "/proc/sys/kernel/apparmor_restrict_unprivileged_userns", allow: "0" },
  { file: "/proc/sys/kernel/unprivileged_userns_clone", allow: "1" },
];

/** Lifts a kernel switch that keeps the sandbox from running, until the next boot, and says so. */
function allowUserNamespaces(sandbox: Capability): void {
  if (sandbox.available) return;
  for (const { file, allow } of userNamespaceSwitches) {
    if (!existsSync(file) || readFileSync(file, "utf8").trim() === allow) continue;
    const key = file.replace("/proc/sys/", "").replaceAll("/", ".");
    console.log(`Allowing unprivileged user namespaces until the next boot (sysctl ${key}=${allow}): the sandbox runs each node in one.`);
    writeFileSync(file, allow);
  }
}

function names(reqs: readonly Requirement[]): string {
  return reqs.map((r) => r.tool).join(", ");
}
