import pc from "picocolors";
import { detectCapabilities, type Capability } from "../../runtimes/sandbox/capabilities.js";

function line(name: string, cap: Capability, what: string): string {
  const mark = cap.available ? pc.green("✓") : pc.red("✗");
  return `${mark} ${name.padEnd(10)} ${what}${cap.available ? "" : pc.dim(` (${cap.reason})`)}`;
}

/** What this machine supports: runtimes and fault mechanisms, and why not. */
export default async function doctor(): Promise<void> {
  const caps = await detectCapabilities();
  console.log("Runtimes:");
  console.log(line("sandbox", caps.sandbox, "each node in its own network namespace on 10.0.42.0/24 (the default local runtime)"));
  console.log(`${pc.green("✓")} ${"loopback".padEnd(10)} plain processes on loopback addresses (fallback; no network faults)`);
  console.log("\nFaults:");
  console.log(line("partition", caps.iptables, "iptables DROP between nodes"));
  console.log(line("loss", caps.netem.available ? caps.netem : caps.iptables, caps.netem.available ? "tc netem" : "iptables statistic match"));
  console.log(line("netem", caps.netem, "tc netem for delay, duplication and reordering"));
  console.log(`\n${pc.green("✓")} ${"restarts".padEnd(10)} SIGTERM and SIGKILL to the node's whole process group`);
}
