import { describeImpairment, type Impairment } from "../faults/impairments.js";
import { CLUSTER, type EventLog } from "../logs/eventLog.js";
import type { NodeExit, Runtime, RuntimeNode } from "../runtimes/runtime.js";
import { formatDuration } from "../util/duration.js";
import { NodeClient, RequestError, type HttpRequest, type HttpResponse } from "./httpClient.js";
import type { SuiteConfig } from "./options.js";
import { Interrupted, StageFailure } from "./failure.js";

/** Readiness is polled soon after a start, then less often: 5 ms, 10 ms, 20 ms, then every 25 ms. */
const READY_POLL_MS = { first: 5, max: 25 };
/** How long a failed request waits to learn whether its node just died. */
const EXIT_NOTICE_MS = 300;

export type StopSignal = "SIGTERM" | "SIGKILL";

/**
 * The running cluster as a test sees it: node lifecycle with readiness, HTTP
 * to each node, and every lifecycle event written to the run's log.
 */
export class Cluster {
  private readonly nodes = new Map<string, RuntimeNode>();
  private readonly clients = new Map<string, NodeClient>();
  /** Nodes started at least once: a spare joins this set at its first start. */
  private readonly everStarted = new Set<string>();
  private readonly t0 = Date.now();
  /** The cut mechanism's drop count when the open partition began; undefined when none is open or the mechanism cannot count. */
  private cutsFrom: number | undefined;
  private cutOpen = false;

  constructor(
    private readonly runtime: Runtime,
    private readonly log: EventLog,
    private readonly config: SuiteConfig,
    readonly signal: AbortSignal,
  ) {}

  /** Creates the members and the spares, and starts the members; a spare waits for a test to start it. */
  async boot(): Promise<void> {
    await this.runtime.build();
    const events = {
      output: (node: string, line: string, at?: number) => this.log.output(node, line, at),
      crashed: (node: string, exit: NodeExit) => this.log.event(node, `EXITED: ${describeExit(exit)}`, exit.at),
    };
    const created = await this.runtime.createNodes([...this.config.nodes, ...this.config.spares], events, this.config.nodes);
    for (const node of created) {
      this.nodes.set(node.name, node);
      this.clients.set(node.name, new NodeClient(node.url, this.config.concurrencyLimit, node.socketPath));
    }
    await Promise.all(this.config.nodes.map((name) => this.start(name)));
    this.event(CLUSTER, "CLUSTER READY");
  }

  /** Names of nodes whose process is running, in order. */
  running(): string[] {
    return [...this.nodes.values()].filter((n) => n.running).map((n) => n.name);
  }

  /** Every node: the members, then the spares (started or not). */
  all(): string[] {
    return [...this.nodes.keys()];
  }

  /** Names of nodes started at least once, in order: the members, and the spares a test has started. */
  started(): string[] {
    return this.all().filter((n) => this.everStarted.has(n));
  }

  address(name: string): string {
    return this.node(name).address;
  }

  event(node: string, event: string): void {
    this.log.event(node, event);
  }

  async start(name: string): Promise<void> {
    const node = this.node(name);
    this.event(name, "START");
    await this.launch(node);
  }

  async stop(name: string): Promise<void> {
    this.event(name, "STOP");
    await this.halt(name, "SIGTERM");
  }

  async kill(name: string): Promise<void> {
    this.event(name, "KILL");
    await this.halt(name, "SIGKILL");
  }

  async restart(name: string, signal: StopSignal = "SIGTERM"): Promise<void> {
    this.event(name, signal === "SIGKILL" ? "RESTART: KILL" : "RESTART: STOP");
    await this.halt(name, signal);
    await this.launch(this.node(name));
  }

  /** A request with the suite's timeout, or the request's own. */
  async request(name: string, req: Omit<HttpRequest, "timeoutMs" | "signal"> & { timeoutMs?: number }): Promise<HttpResponse> {
    this.node(name);
    return this.clients.get(name)!.request({
      ...req,
      timeoutMs: req.timeoutMs ?? this.config.requestTimeoutMs,
      signal: this.signal,
    });
  }

  /**
   * Cuts the network between groups (both ways); nodes in no group keep
   * every link. Waits for the suite's settle duration (unless `settle` is
   * false: a fault schedule keeps its own time).
   */
  async partition(groups: readonly (readonly string[])[], settle = true): Promise<void> {
    const faults = this.requireFaults("Partition");
    if (!this.cutOpen) {
      this.cutOpen = true;
      this.cutsFrom = await this.droppedByCuts();
    }
    const cutFrom = new Map<string, string[]>();
    groups.forEach((group, i) =>
      groups.forEach((other, j) => {
        if (i === j) return;
        for (const a of group) cutFrom.set(a, [...(cutFrom.get(a) ?? []), ...other]);
      }),
    );
    await Promise.all(
      [...cutFrom].map(async ([node, others]) => {
        const sorted = [...others].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
        this.event(node, `PARTITIONED FROM: ${sorted.join(", ")}`);
        await faults.cut(node, sorted.map((o) => this.hostOf(o)));
      }),
    );
    if (settle) await this.settle();
  }

  /**
   * Removes every partition (impairments stay, as in the public attest).
   * Returns how many packets the partition's cuts dropped, from the
   * mechanism's own counters (0 when none was open), and logs it; undefined
   * where the mechanism cannot count.
   */
  async heal(settle = true): Promise<number | undefined> {
    const faults = this.requireFaults("Heal");
    await Promise.all(
      this.all().map(async (node) => {
        this.event(node, "PARTITION HEALED");
        await faults.heal(node);
      }),
    );
    const dropped = await this.partitionDrops();
    if (this.cutOpen && dropped !== undefined) this.event(CLUSTER, `PARTITION HEALED (${dropped} packets dropped)`);
    this.cutOpen = false;
    this.cutsFrom = undefined;
    if (settle) await this.settle();
    return dropped;
  }

  /**
   * Packets dropped by cuts since the run's network was made, as the fault
   * mechanism counts them; undefined where it cannot (loopback, or a
   * mechanism without counters).
   */
  async droppedByCuts(): Promise<number | undefined> {
    return this.runtime.faults?.droppedByCuts?.();
  }

  /** Packets the open partition has dropped so far (0 when none is open); undefined where the mechanism cannot count. */
  private async partitionDrops(): Promise<number | undefined> {
    if (!this.cutOpen) return (await this.droppedByCuts()) === undefined ? undefined : 0;
    const now = await this.droppedByCuts();
    return now === undefined || this.cutsFrom === undefined ? undefined : now - this.cutsFrom;
  }

  /** Replaces the impairments of each node's outgoing traffic. Does not settle. */
  async impair(nodes: readonly string[], impairments: readonly Impairment[]): Promise<void> {
    const faults = this.requireFaults("Impair");
    for (const imp of impairments) {
      const mechanism = faults.mechanisms[imp.kind];
      if (!mechanism.available) {
        throw new StageFailure(
          `Impair(${describeImpairment(imp)}) cannot be injected by this runtime (${this.runtime.description}): ${mechanism.reason}.`,
          "`clstr doctor` shows which faults this machine supports; a kernel with sch_netem (or the Docker runtime on one) supports them all.",
        );
      }
    }
    const annotation = `IMPAIRED: ${impairments.map(describeImpairment).join(", ")}`;
    await Promise.all(
      nodes.map(async (node) => {
        this.event(node, annotation);
        await faults.impair(node, impairments);
      }),
    );
  }

  /** Removes the impairments of the given nodes. */
  async repair(nodes: readonly string[]): Promise<void> {
    const faults = this.requireFaults("Repair");
    await Promise.all(
      nodes.map(async (node) => {
        this.event(node, "REPAIRED");
        await faults.repair(node);
      }),
    );
  }

  settle(ms = this.config.settleMs): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }

  private hostOf(name: string): string {
    return this.address(name).replace(/:\d+$/, "");
  }

  private requireFaults(what: string) {
    const faults = this.runtime.faults;
    if (!faults) {
      throw new StageFailure(
        `${what} needs network faults, which this runtime (${this.runtime.description}) cannot inject.`,
        "Run on Linux with user namespaces (see `clstr doctor`), or use the Docker runtime.",
      );
    }
    return faults;
  }

  /**
   * Why a node might not be answering, when the harness knows; else
   * undefined. After a failed request the process may be exiting right now,
   * so give its exit a moment to be seen.
   */
  async diagnose(name: string, noAnswer: boolean): Promise<string | undefined> {
    const node = this.nodes.get(name);
    if (node && !this.everStarted.has(name)) return `${name} is not running: it is a spare that no test has started yet (start it with t.start("${name}")).`;
    if (node && noAnswer && node.running) await node.exitWithin(EXIT_NOTICE_MS);
    if (!node?.crashed) return undefined;
    const when = formatDuration(node.crashed.at - this.t0);
    return `${name} is not running: it ${describeExit(node.crashed)} at +${when}.${outputTail(node)}`;
  }

  /**
   * Stops every node: gracefully at the end of a stage (the nodes ever
   * started: a spare never started has nothing to stop, nor a STOP to log),
   * at once when interrupted (all of them: a spare may be mid-start).
   */
  async shutdown(graceful: boolean): Promise<void> {
    await Promise.all(graceful ? this.started().map((name) => this.stop(name)) : this.all().map((name) => this.halt(name, "SIGKILL")));
    await Promise.all([...this.clients.values()].map((c) => c.reset()));
  }

  /** Starts the node's process and waits for it to answer GET /health. */
  private async launch(node: RuntimeNode): Promise<void> {
    this.refuseAfterInterrupt();
    this.everStarted.add(node.name);
    await node.start();
    await this.waitReady(node);
  }

  private async halt(name: string, signal: StopSignal): Promise<void> {
    const node = this.node(name);
    if (signal === "SIGKILL") await node.kill();
    else await node.stop(this.config.shutdownTimeoutMs);
    await this.clients.get(name)!.reset();
  }

  /**
   * After Ctrl-C the run's test goes on in the background until its next
   * step; a node it would start now would outlive the shutdown. Stop it here.
   */
  private refuseAfterInterrupt(): void {
    if (this.signal.aborted) throw new Interrupted();
  }

  private node(name: string): RuntimeNode {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`node ${JSON.stringify(name)} is not part of this cluster (${this.all().join(", ")})`);
    return node;
  }

  private async waitReady(node: RuntimeNode): Promise<void> {
    const deadline = Date.now() + this.config.startupTimeoutMs;
    const client = this.clients.get(node.name)!;
    let last = "no answer yet";
    let pause = READY_POLL_MS.first;
    while (!this.signal.aborted) {
      if (node.crashed) {
        throw new StageFailure(
          `${node.name} exited before it became ready: it ${describeExit(node.crashed)}.${outputTail(node)}`,
          `Run the \`run:\` command of clstr.yaml by hand with ADDR=${node.address}${this.config.spares.includes(node.name) ? " PEERS= JOIN=true" : ""} to see why it stops.`,
        );
      }
      try {
        const res = await client.request({ method: "GET", path: "/health", timeoutMs: 1000, signal: this.signal });
        if (res.status === 200) return;
        last = `answered ${res.status}`;
      } catch (err) {
        last = err instanceof RequestError ? err.message : String(err);
      }
      if (Date.now() >= deadline) {
        throw new StageFailure(
          `${node.name} did not become ready: GET /health at ${node.address} did not answer 200 within ` +
            `${formatDuration(this.config.startupTimeoutMs)} (last: ${last}).${outputTail(node)}`,
          `Make your server listen on the address in ADDR (${node.address}) and answer GET /health with 200 once it is ready.`,
        );
      }
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, READY_POLL_MS.max);
    }
  }
}

export function describeExit(exit: NodeExit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

function outputTail(node: RuntimeNode): string {
  const lines = node.recentOutput().slice(-15);
  if (lines.length === 0) return " It printed nothing.";
  return `\n\n  Last output of ${node.name}:\n${lines.map((l) => `    ${l}`).join("\n")}`;
}
