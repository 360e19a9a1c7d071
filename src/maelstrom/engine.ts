import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { runCheckers, type Checker, type ComposedVerdict, type NetStats, type RunFacts } from "./checkers/index.js";
import { netStats } from "./checkers/network.js";
import { ClientCalls, ClientDriver, type ClientSlot } from "./clients.js";
import { recordedOperation, statsByF, type Operation } from "./history.js";
import { startNemesis } from "./nemesis.js";
import { Network, type Journey, type LatencyDistribution, type Peer } from "./network.js";
import { MaelstromProcess, type ProtocolViolation } from "./nodeProcess.js";
import { clientNames, HARNESS_CLIENT, participantsOf, reservedNames, type Participant } from "./participants.js";
import { isDefinite, type Body, type Message } from "./protocol.js";
import { Reaper } from "../runtimes/local/reaperClient.js";
import { seeded } from "../util/random.js";
import { createServices, SERVICE_NAMES, serviceEndpoint } from "./services.js";
import { createWorkload } from "./workloads/index.js";
import type { CheckResult } from "./workloads/workload.js";
import { StallMonitor } from "./stallMonitor.js";

export { seeded } from "../util/random.js";
export type { NetStats } from "./checkers/index.js";

// One Maelstrom test: start the nodes, init them, drive clients at a rate
// through the simulated network (with partitions when asked), heal, run the
// final phase, then hand the history to the run's checkers, composed.

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
  /**
   * Checkers to run besides the workload's, availability, network statistics
   * and latency (a stage's thresholds, say); their parts join the verdict.
   */
  checkers?: readonly Checker[];
  /** Share (0..1) of messages between nodes and services dropped at random. */
  lossRate?: number;
  topology: string;
  /** The txn workloads' flags (--key-count, --max-txn-length, --max-writes-per-key, --consistency-models). */
  txn?: import("./workloads/txn.js").TxnOptions;
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
  /** Watches the node processes, so they die with the harness; without one, the run starts its own. */
  reaper?: Reaper;
  /** Aborting stops the test at once (Ctrl-C); the result says interrupted. */
  signal?: AbortSignal;
}

export interface EngineResult {
  /** The worst part of the composed verdict (false after a protocol violation, "unknown" when interrupted). */
  valid: boolean | "unknown";
  /** Why the test could not run to the end (a node broke the protocol). */
  violation?: ProtocolViolation;
  interrupted?: boolean;
  stats: ReturnType<typeof statsByF>;
  net: NetStats;
  /** The workload checker's part, as Maelstrom's checker facts (the same as checks.parts.workload). */
  workload: CheckResult;
  /** Every part's failures, in order: the composed verdict's failure text. */
  problems: string[];
  /** The composed verdict, each checker's part by name; absent when the run stopped early (a protocol violation, an interrupt) and nothing was checked. */
  checks?: ComposedVerdict;
  history: Operation[];
  /** Every message's journey (bounded), for the report's space-time diagram. */
  journeys: Journey[];
  /** What the engine did, when (nemesis, phases), ms since the start. */
  events: EngineEvent[];
  nodes: string[];
  /** Everyone who took part (nodes, services, clients) with their kind. */
  participants: Participant[];
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
  const clients = clientNames(Math.max(1, opts.concurrency));
  const taken = nodes.find((n) => reservedNames(clients.length).has(n));
  if (taken !== undefined) throw new Error(`node name ${JSON.stringify(taken)} is taken by a client or a service of this run`);
  const participants = participantsOf(nodes, clients);
  const workload = createWorkload(opts.workload, { nodes, clients: clients.length, random, topology: opts.topology, ...(opts.txn ? { txn: opts.txn } : {}) });
  const net = new Network({
    latencyMs: opts.latencyMs,
    distribution: opts.latencyDist,
    lossRate: opts.lossRate ?? 0,
    random,
    ...(opts.onMessage ? { onMessage: opts.onMessage } : {}),
  });
  const history: Operation[] = [];
  const clock = () => net.now();
  const stallMonitor = new StallMonitor(clock);
  const calls = new ClientCalls(net, opts.requestTimeoutMs ?? 5000);

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

  const reaper = opts.reaper ?? new Reaper();
  const nodePeers = new Map<string, Peer>();
  const processes = nodes.map((name) => {
    let self: Peer | undefined; // the node's own peer, once added (below)
    const node = new MaelstromProcess({
      name,
      command: opts.bin,
      args: opts.args,
      cwd: opts.cwd,
      env: { ...(opts.env ?? {}) },
      logFile: join(opts.storeDir, `${name}.log`),
      reaper,
      clock,
      onMessage: (m, at) => {
        const to = net.peer(m.dest);
        if (!to) {
          failRun({ node: name, problem: `sent a message to ${JSON.stringify(m.dest)}, which is not a node, client or service of this test (nodes: ${nodes.join(", ")}; services: ${SERVICE_NAMES.join(", ")})`, line: JSON.stringify(m), stderr: [] });
          return;
        }
        if (to.client && m.body.in_reply_to === undefined) {
          failRun({ node: name, problem: `sent a message to client ${m.dest} without "in_reply_to"; replies to clients must name the msg_id of the request they answer`, line: JSON.stringify(m), stderr: [] });
          return;
        }
        net.sendBetween(self!, to, m, at);
      },
      onViolation: (v) => failRun(v),
      ...(opts.onStderr ? { onStderr: (line: string) => opts.onStderr!(name, line) } : {}),
    });
    self = net.add(name, node, "server");
    nodePeers.set(name, self);
    return node;
  });

  // Clients: each bound to one node (client i to node i mod n), one request at a time; the harness's own client does init and setup.
  const clientSlots = clients.map((c) => calls.join(c));
  calls.join(HARNESS_CLIENT);
  const nodeOfClient = clients.map((_, i) => nodePeers.get(nodes[i % nodes.length]!)!);

  const events: EngineEvent[] = [];
  const event = (what: string) => {
    events.push({ at: clock(), what });
    opts.onEvent?.(what);
  };

  /** Records an operation's outcome as its reply (or none) comes. */
  const complete = (op: Operation, reply: Body | undefined): void => {
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
  };

  /** Told when an operation completed (err undefined) or recording it threw; the client driver's `done` is one. */
  type Done = (err: unknown, op: Operation) => void;

  /**
   * An operation waiting for its reply: records the outcome, then tells
   * `done` (an object, not a closure per operation). A client of the main
   * phase runs one operation at a time, so it has one, reused for each
   * (a reply that comes after its request timed out finds no waiter).
   */
  class Pending {
    op!: Operation;

    constructor(readonly done: Done) {}

    settle(reply: Body | undefined): void {
      try {
        complete(this.op, reply);
      } catch (err) {
        this.done(err ?? new Error("recording an operation failed"), this.op);
        return;
      }
      this.done(undefined, this.op);
    }
  }

  /** Starts one client operation and records it; `done` gets it once it completed (or the error recording it threw). */
  const begin = (client: ClientSlot, node: Peer, body: Body, final: boolean, pending: Pending): void => {
    const now = clock();
    const op = recordedOperation(client.name, node.name, body, now);
    if (final) op.final = final;
    history.push(op);
    pending.op = op;
    calls.request(client, node, body, pending, undefined, now);
  };

  /** Runs one client operation and records it. */
  const operate = (client: ClientSlot, node: string, body: Body, final = false): Promise<Operation> =>
    new Promise((resolve, reject) => {
      const peer = nodePeers.get(node);
      if (!peer) throw new Error(`the ${opts.workload} workload asked for a request to ${JSON.stringify(node)}, which is not a node of this test (${nodes.join(", ")})`);
      begin(client, peer, body, final, new Pending((err, op) => (err === undefined ? resolve(op) : reject(err))));
    });

  /** The main phase's clients' waiters, by client index. */
  const pendings: (Pending | undefined)[] = clients.map(() => undefined);
  const pendingOf = (i: number, done: Done): Pending => {
    const p = pendings[i];
    return p !== undefined && p.done === done ? p : (pendings[i] = new Pending(done));
  };

  let driver: ClientDriver | undefined;
  try {
    // Init: every node must answer init_ok.
    await Promise.race([
      broken,
      Promise.all(
        nodes.map(async (node) => {
          const reply = await calls.call(HARNESS_CLIENT, node, { type: "init", node_id: node, node_ids: nodes }, 10_000);
          if (!reply) failRun({ node, problem: "did not answer init within 10 s; reply {\"type\": \"init_ok\", \"in_reply_to\": <the init's msg_id>}", stderr: [] });
          else if (reply.type !== "init_ok") failRun({ node, problem: `answered init with ${JSON.stringify(reply)} instead of init_ok`, stderr: [] });
        }),
      ),
    ]);
    event("nodes initialized");

    for (const { node, body } of workload.setup?.() ?? []) {
      const reply = await Promise.race([broken, calls.call(HARNESS_CLIENT, node, body)]);
      if (reply?.type !== `${body.type}_ok`) {
        failRun({ node, problem: `answered ${body.type} with ${reply ? JSON.stringify(reply) : "nothing within the timeout"}; expected ${body.type}_ok`, stderr: [] });
      }
    }

    // Main phase: operations at the rate, each on a free client.
    event(`clients started: ${opts.rate}/s for ${opts.timeLimitS} s`);
    stallMonitor.start();
    const nemesis = startNemesis(opts, net, nodes, random, event);
    driver = new ClientDriver({
      clients,
      rate: opts.rate,
      endAt: clock() + opts.timeLimitS * 1000,
      clock,
      after: (ms, fn) => net.after(ms, fn),
      start: (client, done, i) => begin(clientSlots[i]!, nodeOfClient[i]!, workload.next(client), false, pendingOf(i, done)),
    });
    await Promise.race([broken, driver.done]);
    nemesis.stop();
    if (net.partitioned) {
      net.heal();
      event("healed the network for the final phase");
    }

    // Final phase: rounds of final requests until the nodes agree or recovery time runs out.
    if (workload.finalRound) {
      event("final reads");
      const deadline = clock() + (opts.recoveryS ?? 10) * 1000;
      let requests = workload.finalRound();
      for (let stalls = 0; ; ) {
        const before = history.length;
        const ops = await Promise.race([
          broken,
          Promise.all(requests.map(({ node, body }, i) => operate(clientSlots[i % clientSlots.length]!, node, body, true))),
        ]);
        const settled = workload.settled?.(ops) ?? true;
        if (settled || clock() > deadline) break;
        // Not the last word: earlier rounds stay in the history, only the last counts as final.
        for (const op of history.slice(before)) op.final = undefined;
        // A workload that reads on from where the last round got (kafka's polls) asks again at once;
        // the same requests again wait for the nodes, longer each time.
        const next = workload.finalRound();
        if (JSON.stringify(next) === JSON.stringify(requests)) await new Promise((r) => net.after(Math.min(500, 100 * 2 ** stalls++), () => r(undefined)));
        requests = next;
      }
    }
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    driver?.stop();
    stallMonitor.stop();
    net.stop();
    await Promise.all(processes.map((p) => p.stop()));
    if (!opts.reaper) await reaper.close();
    calls.abandon();
  }

  const facts: RunFacts = { history, nodes, net: netStats(net.counts, history), stalls: stallMonitor.stalls, ...(workload.stableLatencies ? { stableLatencies: workload.stableLatencies(history) } : {}) };
  const run = { stats: statsByF(history), net: facts.net, history, events, nodes, participants, durationMs: performance.now() - started, storeDir: opts.storeDir };
  // The journeys are built from the network's columns when first read (the report reads them; a benchmark need not).
  const withJourneys = (r: Omit<EngineResult, "journeys">): EngineResult =>
    Object.defineProperty(r, "journeys", { get: () => net.journeys, enumerable: true, configurable: true }) as EngineResult;
  if (interrupted) return withJourneys({ valid: "unknown", interrupted, workload: { valid: "unknown", problems: [] }, problems: [], ...run });
  if (violation) return withJourneys({ valid: false, violation, workload: { valid: false, problems: [] }, problems: [], ...run });
  const checks = runCheckers(workload, opts).check(facts);
  const part = checks.parts.workload!;
  return withJourneys({ valid: checks.valid, workload: { valid: part.valid, problems: part.failures, ...part.figures }, problems: checks.failures, checks, ...run });
}
