import type { Network } from "./network.js";

/** The partition nemesis: every interval, cut the nodes (random halves or one isolated node), then heal, and so on. */
export function startNemesis(
  opts: { nemesis: readonly string[]; nemesisIntervalS: number },
  net: Network,
  nodes: readonly string[],
  random: () => number,
  event: (what: string) => void,
): { stop(): void } {
  if (!opts.nemesis.includes("partition") || nodes.length < 2) return { stop() {} };
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    if (net.partitioned) {
      net.heal();
      event("healed the network");
    } else {
      const shuffled = [...nodes].sort(() => random() - 0.5);
      if (random() < 0.5) {
        const cut = Math.max(1, Math.floor(nodes.length / 2));
        const groups = [shuffled.slice(0, cut), shuffled.slice(cut)];
        net.partition(groups);
        event(`partitioned ${groups.map((g) => `[${g.join(" ")}]`).join(" | ")}`);
      } else {
        const alone = shuffled[0]!;
        net.partition([[alone], shuffled.slice(1)]);
        event(`isolated ${alone}`);
      }
    }
    net.after(opts.nemesisIntervalS * 1000, tick);
  };
  net.after(opts.nemesisIntervalS * 1000, tick);
  return {
    stop() {
      stopped = true;
    },
  };
}
