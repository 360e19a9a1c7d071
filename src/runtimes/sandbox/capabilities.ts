import { execFile } from "node:child_process";
import { packetQueueScript } from "./packetQueue.js";

// What this machine offers for isolating nodes and injecting faults,
// detected by trying it (inside a throwaway user namespace), not assumed.

export interface Capability {
  available: boolean;
  /** Why not, in a sentence, when unavailable. */
  reason?: string;
}

export interface Capabilities {
  /** Unprivileged network namespaces: each node its own host on a private bridge. */
  sandbox: Capability;
  /** iptables inside a sandbox namespace: packet loss via the statistic match where the kernel has no netem, and the packet queue's rule. */
  iptables: Capability;
  /** tc netem inside a sandbox namespace: delay, loss, duplication, reordering in the kernel. */
  netem: Capability;
  /** The user-space packet queue (iptables NFQUEUE and python3): delay, duplication, reordering without netem. */
  packetQueue: Capability;
}

function attempt(file: string, args: string[]): Promise<{ ok: boolean; output: string; missing: boolean }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 5000 }, (err, stdout, stderr) => {
      const missing = (err as NodeJS.ErrnoException | null)?.code === "ENOENT";
      resolve({ ok: !err, output: `${stderr}${stdout}`.trim().split("\n")[0] ?? "", missing });
    });
  });
}

function inUserNet(command: string): Promise<{ ok: boolean; output: string; missing: boolean }> {
  return attempt("unshare", ["--user", "--map-root-user", "--net", "--", "sh", "-c", command]);
}

let cached: Promise<Capabilities> | undefined;

/** Detected once per process; `fresh` detects again (after installing tools). */
export function detectCapabilities(opts: { fresh?: boolean } = {}): Promise<Capabilities> {
  if (opts.fresh) cached = undefined;
  cached ??= detect();
  return cached;
}

async function detect(): Promise<Capabilities> {
  if (process.platform !== "linux") {
    const reason = "network namespaces exist only on Linux";
    return {
      sandbox: { available: false, reason },
      iptables: { available: false, reason },
      netem: { available: false, reason },
      packetQueue: { available: false, reason },
    };
  }
  const [userns, nsenter, ip, iptables, netem, python, queue] = await Promise.all([
    inUserNet("true"),
    attempt("nsenter", ["--version"]),
    attempt("ip", ["-V"]),
    inUserNet("iptables -A OUTPUT -m statistic --mode random --probability 0.5 -j DROP"),
    inUserNet("ip link set lo up && tc qdisc add dev lo root netem delay 1ms"),
    attempt("python3", ["--version"]),
    // Binds a queue and exits at once (its stdin is empty).
    inUserNet(`iptables -A OUTPUT -o lo -j NFQUEUE --queue-num 1 --queue-bypass && python3 '${packetQueueScript}' 1 0 0 0 0 0 </dev/null`),
  ]);
  let sandbox: Capability = { available: true };
  if (userns.missing) sandbox = { available: false, reason: "`unshare` (util-linux) is not installed" };
  else if (!userns.ok) sandbox = { available: false, reason: `this kernel does not allow unprivileged user namespaces (${userns.output})` };
  else if (nsenter.missing) sandbox = { available: false, reason: "`nsenter` (util-linux) is not installed" };
  else if (!ip.ok) sandbox = { available: false, reason: "`ip` (iproute2) is not installed" };
  const needSandbox = sandbox.available ? undefined : `needs the network sandbox: ${sandbox.reason}`;
  return {
    sandbox,
    iptables: needSandbox
      ? { available: false, reason: needSandbox }
      : iptables.ok
        ? { available: true }
        : { available: false, reason: /not found|No such file/.test(iptables.output) ? "`iptables` is not installed (apt-get install iptables)" : `iptables does not work here (${iptables.output})` },
    netem: needSandbox
      ? { available: false, reason: needSandbox }
      : netem.ok
        ? { available: true }
        : { available: false, reason: /not found|No such file/.test(netem.output) ? "`tc` (iproute2) is not installed" : "this kernel has no sch_netem module" },
    packetQueue: needSandbox
      ? { available: false, reason: needSandbox }
      : python.missing
        ? { available: false, reason: "`python3` is not installed (the packet queue is a python3 script)" }
        : queue.ok
          ? { available: true }
          : { available: false, reason: `iptables NFQUEUE does not work here (${queue.output})` },
  };
}
