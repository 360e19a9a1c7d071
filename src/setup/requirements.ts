// What the default runtime (the network sandbox) needs from this machine for
// its full fault set, given what it can do now. Partitions need iproute2
// alone; impairments need tc netem where the kernel has it, and otherwise
// iptables (loss) and python3 (the packet queue for delay, duplication and
// reordering). Nothing here is needed by a stage that injects no faults.

import type { Capabilities } from "../runtimes/sandbox/capabilities.js";

/** A tool this machine lacks, named by what it is for. */
export interface Requirement {
  tool: Tool;
  why: string;
}

export type Tool = "util-linux" | "iproute2" | "iptables" | "python3";

/**
 * The tools to install so that every fault can be injected. Tools whose
 * need depends on the kernel (netem or not) are asked for only once `tc`
 * can tell, so a fix may take two rounds.
 */
export function missingTools(caps: Capabilities, has: (command: string) => boolean): Requirement[] {
  const missing: Requirement[] = [];
  if (!has("unshare") || !has("nsenter")) missing.push({ tool: "util-linux", why: "`unshare` and `nsenter` make the network sandbox" });
  if (!has("ip") || !has("tc")) missing.push({ tool: "iproute2", why: "`ip` wires the sandbox and makes partitions; `tc` applies netem" });
  // Packages cannot help a kernel that refuses user namespaces; `clstr doctor` says why.
  if (missing.length > 0 || !caps.sandbox.available || caps.netem.available) return missing;
  // The kernel has no netem: loss by iptables, the rest by the packet queue.
  if (!caps.iptables.available && !has("iptables")) missing.push({ tool: "iptables", why: "this kernel has no netem: packet loss and the packet queue need iptables" });
  if (!has("python3")) missing.push({ tool: "python3", why: "this kernel has no netem: the packet queue (delay, duplication, reordering) is a python3 script" });
  return missing;
}
