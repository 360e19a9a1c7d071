import type { Operation } from "../history.js";
import type { NetCounts } from "../network.js";
import type { Checker, NetStats } from "./checker.js";

/** The network's counts with msgs-per-op: messages per client operation of the main phase (final reads are not counted as operations). */
export function netStats(counts: { all: NetCounts; clients: NetCounts; servers: NetCounts }, history: readonly Operation[]): NetStats {
  let main = 0;
  for (let i = 0; i < history.length; i++) if (!history[i]!.final) main++;
  const ops = main || 1;
  const per = (c: NetCounts) => ({ ...c, msgsPerOp: Math.round((c.msgCount / ops) * 1000) / 1000 });
  return { all: per(counts.all), clients: per(counts.clients), servers: per(counts.servers) };
}

/** Network statistics, as Maelstrom's net checker: figures only, never invalid (limits are threshold checkers). */
export function netChecker(): Checker {
  return {
    name: "net",
    check: ({ net }) => ({ valid: true, figures: { all: kebab(net.all), clients: kebab(net.clients), servers: kebab(net.servers) }, failures: [] }),
  };
}

export function kebab(c: NetStats["all"]) {
  return { "send-count": c.sendCount, "recv-count": c.recvCount, "msg-count": c.msgCount, "msgs-per-op": c.msgsPerOp, "drop-count": c.dropCount };
}
