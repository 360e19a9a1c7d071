import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { statsByF, type Operation } from "./history.js";
import { Network, type Journey, type LatencyDistribution, type NetCounts } from "./network.js";
import { MaelstromProcess, type ProtocolViolation } from "./nodeProcess.js";
import { Reaper } from "../runtimes/local/reaperClient.js";
import { isDefinite, errorName, type Body, type Message } from "./protocol.js";
import { createServices, SERVICE_NAMES, serviceEndpoint } from "./services.js";
import { createWorkload } from "./workloads/index.js";
import type { CheckResult } from "./workloads/workload.js";

// One Maelstrom test: start the nodes, init them, drive clients at a rate
// through the simulated network (with partitions when asked), heal, run the
// final phase, check the history.

export interface EngineOptions {
  workload: string;
  bin: string;
  args: readonly string[];
  cwd: string;
  nodeCount: number;
  /** Node names (default n0..n(nodeCount-1)). */
  nodes?: readonly string[];
  timeLimitS: number;
  /** Client operations per second, all clients together. */
  rate: number;
  /** Number of clients (requests in flight at most). */
  concurrency: number;
  latencyMs: number;
  latencyDist: LatencyDistribution;
  nemesis: readonly string[];
  nemesisIntervalS: number;
  /** "total": every request must be acknowledged; a number: at least that fraction must be. */
  availability?: "total" | number;
  /** Share (0..1) of messages between nodes and services dropped at random. */
  lossRate?: number;
  topology: string;
  /** Where results.json, history.jsonl and node logs go. */
  storeDir: string;
  /** Extra environment for the node processes. */
  env?: Record<string, string>;
  /** Client request timeout. */
  requestTimeoutMs?: number;
  /** How long the final phase may wait for nodes to agree. */
  recoveryS?: number;
  seed?: number;
  onStderr?: (node: string, line: string) => void;
  onEvent?: (what: string) => void;
  /** Sees every message as it is sent and as it is delivered (--log-net-send, --log-net-recv). */
  onMessage?: (what: "send" | "recv", message: Message) => void;
  /** Aborting stops the test at once (Ctrl-C); the result says interrupted. */
  signal?: AbortSignal;
}

export interface NetStats {
  all: NetCounts & { msgsPerOp: number };
  clients: NetCounts & { msgsPerOp: number };
  servers: NetCounts & { msgsPerOp: number };
}

export interface EngineResult {
  valid: boolean | "unknown";
  /** Why the test could not run to the end (a node broke the protocol). */
  violation?: ProtocolViolation;
  interrupted?: boolean;
  stats: ReturnType<typeof statsByF>;
  net: NetStats;
  workload: CheckResult;
  problems: string[];
  history: Operation[];
  /** Every message's journey (bounded), for the report's space-time diagram. */
  journeys: Journey[];
  /** What the engine did, when (nemesis, phases), ms since the start. */
  events: EngineEvent[];
  nodes: string[];
  durationMs: number;
  storeDir: string;
}

export interface EngineEvent {
  at: number;
  what: string;
}

class Stop extends Error {}

export async function runTest(opts: EngineOptions): Promise<EngineResult> {
  const started = performance.now();
  mkdirSync(opts.storeDir, { recursive: true });
  const random = seeded(opts.seed ?? Date.now());
  const nodes = [...(opts.nodes ?? Array.from({ length: opts.nodeCount }, (_, i) => `n${i}`))];
  const clientCount = Math.max(1, opts.concurrency);
  const workload = createWorkload(opts.workload, { nodes, clients: clientCount, random, topology: opts.topology });
  const net = new Network({
    latencyMs: opts.latencyMs,
    distribution: opts.latencyDist,
    lossRate: opts.lossRate ?? 0,
    random,
    ...(opts.onMessage ? { onMessage: opts.onMessage } : {}),
  });
  const history: Operation[] = [];
  const clock = () => net.now();
  const timeoutMs = opts.requestTimeoutMs ?? 5000;

  let violation: ProtocolViolation | undefined;
  let failRun: (v: ProtocolViolation) => void = () => {};
  const broken = new Promise<never>((_, reject) => {
    failRun = (v) => {
      violation ??= v;
      reject(new Stop());
    };
  });
  broken.catch(() => {});
  let interrupted = false;
  const onAbort = () => {
    interrupted = true;
    failRun({ node: "", problem: "interrupted", stderr: [] });
  };
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });

  // Services answer like nodes.
  for (const service of createServices(random)) net.add(service.name, serviceEndpoint(service, (m) => net.send(m)), "server");

  // Clients: each bound to one node, one request at a time.
  const pending = new Map<string, { resolve: (b: Body | undefined) => void }>();
  const clientEndpoint = (name: string) => ({
    deliver(message: Message) {
      const id = message.body.in_reply_to;
      const waiter = pending.get(`${name}:${id}`);
      if (waiter) {
        pending.delete(`${name}:${id}`);
        waiter.resolve(message.body);
      }
    },
  });
  let msgIds = 0;
  const call = (client: string, node: string, body: Body, ms = timeoutMs): Promise<Body | undefined> => {
    const msgId = ++msgIds;
    return new Promise((resolve) => {
      const key = `${client}:${msgId}`;
      pending.set(key, { resolve });
      net.after(ms, () => {
        if (pending.delete(key)) resolve(undefined);
      });
      net.send({ src: client, dest: node, body: { ...body, msg_id: msgId } });
    });
  };

  const reaper = new Reaper(); // kills the nodes if this process dies without stopping them
  const processes = nodes.map(
    (name) =>
      new MaelstromProcess({
        name,
        reaper,
        command: opts.bin,
        args: opts.args,
        cwd: opts.cwd,
        env: { ...(opts.env ?? {}) },
        logFile: join(opts.storeDir, `${name}.log`),
        onMessage: (m) => {
          if (!net.has(m.dest)) {
            failRun({ node: name, problem: `sent a message to ${JSON.stringify(m.dest)}, which is not a node, client or service of this test (nodes: ${nodes.join(", ")}; services: ${SERVICE_NAMES.join(", ")})`, line: JSON.stringify(m), stderr: [] });
            return;
          }
          if (net.isClient(m.dest) && m.body.in_reply_to === undefined) {
            failRun({ node: name, problem: `sent a message to client ${m.dest} without "in_reply_to"; replies to clients must name the msg_id of the request they answer`, line: JSON.stringify(m), stderr: [] });
            return;
          }
          net.send(m);
        },
        onViolation: (v) => failRun(v),
        ...(opts.onStderr ? { onStderr: (line: string) => opts.onStderr!(name, line) } : {}),
      }),
  );
  processes.forEach((p) => net.add(p.name, p, "server"));

  const clients = Array.from({ length: clientCount }, (_, i) => `c${i + 1}`);
  for (const c of clients) net.add(c, clientEndpoint(c), "client");
  net.add("c0", clientEndpoint("c0"), "client"); // the harness's own client for init and setup

  const events: EngineEvent[] = [];
  const event = (what: string) => {
    events.push({ at: clock(), what });
    opts.onEvent?.(what);
  };
  const problems: string[] = [];

  /** Runs one client operation and records it. */
  const operate = async (client: string, node: string, body: Body, final = false): Promise<Operation> => {
    const op: Operation = { client, node, f: body.type, request: body, invokedAt: clock(), ...(final ? { final } : {}) };
    history.push(op);
    const reply = await call(client, node, body);
    op.completedAt = clock();
    if (!reply) op.outcome = "info";
    else if (reply.type === "error") {
      op.outcome = isDefinite(Number(reply.code)) ? "fail" : "info";
      op.reply = reply;
    } else {
      op.outcome = "ok";
      op.reply = reply;
    }
    workload.observe?.(op);
    return op;
  };

  try {
    // Init: every node must answer init_ok.
    await Promise.race([
      broken,
      Promise.all(
        nodes.map(async (node) => {
          const reply = await call("c0", node, { type: "init", node_id: node, node_ids: nodes }, 10_000);
          if (!reply) failRun({ node, problem: "did not answer init within 10 s; reply {\"type\": \"init_ok\", \"in_reply_to\": <the init's msg_id>}", stderr: [] });
          else if (reply.type !== "init_ok") failRun({ node, problem: `answered init with ${JSON.stringify(reply)} instead of init_ok`, stderr: [] });
        }),
      ),
    ]);
    event("nodes initialized");

    for (const { node, body } of workload.setup?.() ?? []) {
      const reply = await Promise.race([broken, call("c0", node, body)]);
      if (reply?.type !== `${body.type}_ok`) {
        failRun({ node, problem: `answered ${body.type} with ${reply ? JSON.stringify(reply) : "nothing within the timeout"}; expected ${body.type}_ok`, stderr: [] });
      }
    }

    // Main phase: operations at the rate, each on a free client.
    event(`clients started: ${opts.rate}/s for ${opts.timeLimitS} s`);
    const nemesis = startNemesis(opts, net, nodes, random, event);
    const busy = new Set<string>();
    const inflight = new Set<Promise<unknown>>();
    const endAt = clock() + opts.timeLimitS * 1000;
    const interval = 1000 / Math.max(0.001, opts.rate);
    let next = clock();
    let turn = 0;
    await Promise.race([
      broken,
      (async () => {
        while (clock() < endAt) {
          const wait = next - clock();
          if (wait > 0) await new Promise((r) => net.after(wait, () => r(undefined)));
          next += interval;
          if (clock() >= endAt) break;
          let client: string | undefined;
          for (let k = 0; k < clients.length && !client; k++) {
            const candidate = clients[(turn + k) % clients.length]!;
            if (!busy.has(candidate)) client = candidate;
          }
          turn++;
          if (!client) continue; // every client is waiting: this tick's operation is skipped, as a closed system would
          busy.add(client);
          const node = nodes[(Number(client.slice(1)) - 1) % nodes.length]!;
          const p = operate(client, node, workload.next(client)).finally(() => {
            busy.delete(client);
            inflight.delete(p);
          });
          inflight.add(p);
        }
        await Promise.all(inflight);
      })(),
    ]);
    nemesis.stop();
    if (net.partitioned) {
      net.heal();
      event("healed the network for the final phase");
    }

    // Final phase: rounds of final requests until the nodes agree or recovery time runs out.
    if (workload.finalRound) {
      event("final reads");
      const deadline = clock() + (opts.recoveryS ?? 10) * 1000;
      for (let round = 0; ; round++) {
        const requests = workload.finalRound();
        const before = history.length;
        const ops = await Promise.race([
          broken,
          Promise.all(requests.map(({ node, body }, i) => operate(clients[i % clients.length]!, node, body, true))),
        ]);
        const settled = workload.settled?.(ops) ?? true;
        if (settled || clock() > deadline) break;
        // Not the last word: earlier rounds stay in the history, only the last counts as final.
        for (const op of history.slice(before)) delete op.final;
        await new Promise((r) => net.after(Math.min(500, 100 * 2 ** round), () => r(undefined)));
      }
    }
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    net.stop();
    await Promise.all(processes.map((p) => p.stop()));
    await reaper.close();
    for (const w of pending.values()) w.resolve(undefined);
  }

  const ops = history.filter((o) => !o.final).length || 1;
  const per = (c: NetCounts) => ({ ...c, msgsPerOp: round3(c.msgCount / ops) });
  const netStats: NetStats = { all: per(net.counts.all), clients: per(net.counts.clients), servers: per(net.counts.servers) };
  const checked: CheckResult = violation ? { valid: false, problems: [] } : workload.check(history);
  if (!violation && opts.availability !== undefined) {
    const problem = availabilityProblem(history, opts.availability);
    if (problem) problems.push(problem);
  }
  const valid = violation ? false : checked.valid === false || problems.length > 0 ? false : checked.valid;
  if (interrupted) {
    return { valid: "unknown", interrupted, stats: statsByF(history), net: netStats, workload: { valid: "unknown", problems: [] }, problems: [], history, journeys: net.journeys, events, nodes, durationMs: performance.now() - started, storeDir: opts.storeDir };
  }
  return {
    valid,
    ...(violation ? { violation } : {}),
    stats: statsByF(history),
    net: netStats,
    workload: checked,
    problems: [...checked.problems, ...problems],
    history,
    journeys: net.journeys,
    events,
    nodes,
    durationMs: performance.now() - started,
    storeDir: opts.storeDir,
  };
}

/** Whether enough requests of the main phase were acknowledged (--availability). */
function availabilityProblem(history: readonly Operation[], availability: "total" | number): string | undefined {
  const main = history.filter((o) => !o.final);
  const unacked = main.filter((o) => o.outcome !== "ok");
  const share = main.length === 0 ? 1 : (main.length - unacked.length) / main.length;
  const required = availability === "total" ? 1 : availability;
  if (unacked.length === 0 || share >= required) return undefined;
  const example = unacked[0]!;
  const why = example.reply ? `error ${String(example.reply.code)} (${errorName(Number(example.reply.code))})` : "no reply within the timeout";
  const level = availability === "total" ? "availability total" : `availability ${availability}`;
  return `${level}: ${unacked.length} of ${main.length} requests were not acknowledged (${(share * 100).toFixed(1)}% succeeded${availability === "total" ? "" : `, ${(required * 100).toFixed(1)}% must`}), e.g. ${example.f} to ${example.node}: ${why}`;
}

/** The partition nemesis: every interval, cut the nodes (random halves or one isolated node), then heal, and so on. */
function startNemesis(opts: EngineOptions, net: Network, nodes: readonly string[], random: () => number, event: (what: string) => void) {
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

/** A small seeded PRNG (mulberry32), so a run's random choices can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
