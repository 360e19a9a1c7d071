import { release } from "node:os";
import pc from "picocolors";
import { checkDaemon } from "../../runtimes/docker/dockerCli.js";
import { DOCKER_NETWORK, DOCKER_SUBNET, dockerMechanisms } from "../../runtimes/docker/dockerRuntime.js";
import { describeMechanisms } from "../../faults/mechanisms.js";
import { detectCapabilities, type Capability } from "../../runtimes/sandbox/capabilities.js";
import { sandboxMechanisms } from "../../runtimes/sandbox/sandboxFaults.js";

function line(name: string, cap: Capability, what: string): string {
  const mark = cap.available ? pc.green("✓") : pc.red("✗");
  return `${mark} ${name.padEnd(12)} ${what}${cap.available ? "" : pc.dim(` (${cap.reason})`)}`;
}

/** What this machine supports: runtimes and fault mechanisms, and why not. */
export default async function doctor(): Promise<void> {
  const caps = await detectCapabilities();
  console.log("Runtimes:");
  console.log(line("sandbox", caps.sandbox, "each node in its own network namespace on 10.0.42.0/24 (the default local runtime)"));
  console.log(line("loopback", { available: true }, "plain processes on loopback addresses (fallback; no network faults)"));
  const docker = await checkDaemon().then(
    (info) => ({ cap: { available: true } as Capability, info }),
    (err: Error) => ({ cap: { available: false, reason: err.message.replace(/\.$/, "") } as Capability, info: undefined }),
  );
  console.log(line("docker", docker.cap, docker.info ? `containers on ${DOCKER_NETWORK} (${DOCKER_SUBNET}), Docker ${docker.info.serverVersion}` : "containers built from your Dockerfile"));
  console.log("\nMechanisms:");
  console.log(line("iptables", caps.iptables, "iptables inside the sandbox's namespaces"));
  console.log(line("netem", caps.netem, "tc netem: delay, loss, duplication, reordering in the kernel"));
  console.log(line("packet queue", caps.packetQueue, "iptables NFQUEUE and a python3 helper: delay, duplication, reordering without netem"));
  console.log("\nFaults on the sandbox:");
  if (caps.sandbox.available) {
    for (const [kind, mechanism] of Object.entries(sandboxMechanisms(caps))) {
      console.log(`${mechanism.available ? pc.green("✓") : pc.red("✗")} ${describeMechanisms({ [kind]: mechanism })[0]}`);
    }
  } else {
    console.log(`${pc.red("✗")} none (${caps.sandbox.reason})`);
  }
  if (docker.info) {
    console.log("\nFaults on Docker:");
    const sameKernel = process.platform === "linux" && docker.info.kernel === release();
    for (const [kind, mechanism] of Object.entries(dockerMechanisms(sameKernel ? caps.netem.available : true, docker.info.kernel))) {
      console.log(`${mechanism.available ? pc.green("✓") : pc.red("✗")} ${describeMechanisms({ [kind]: mechanism })[0]}`);
    }
  }
  console.log(`\n${pc.green("✓")} ${"restarts".padEnd(12)} SIGTERM and SIGKILL to the node's whole process group`);
}
