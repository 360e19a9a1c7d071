import { Check, type CheckEnv, type Headers } from "./check.js";
import type { Cluster, StopSignal } from "./cluster.js";
import { asText, lookup, parseJson } from "./jsonPath.js";
import type { SuiteConfig } from "./options.js";
import { resolveSelector, type NodeSelector } from "./selectors.js";
import type { Impairment } from "../faults/impairments.js";
import { StageFailure } from "./failure.js";
import { computeStats, describeStats, groupByNode, type LatencySample } from "./stats.js";
import type { ScheduledFault } from "../faults/schedule.js";
import type { CheckResult } from "../checkers/linearizability/result.js";
import type { Value } from "../checkers/linearizability/history.js";
import { CLUSTER } from "../logs/eventLog.js";
import { checkRecording, type HistoryOutput, type Recording } from "./history/linearizable.js";
import { runSchedule, type FaultDriver } from "./history/nemesis.js";
import type { HistoryRecorder } from "./history/recorder.js";
import { runWorkload, type WorkloadOptions } from "./history/workload.js";

/** What a test gets from its run: its random stream, and where its histories go. */
export interface TestRun {
  /** Seeded from the run's seed, the stage and the test: the same seed gives the same choices. */
  random: () => number;
  /** Where `expectLinearizable` saves histories; nothing is saved without it. */
  history?: HistoryOutput;
}

export interface TestWorkload extends Omit<WorkloadOptions, "random" | "nemesis"> {
  /** Faults to inject while the clients run (from `faultSchedule`), recorded in the history. */
  faults?: readonly ScheduledFault[];
  /** Where the clients' choices come from (default: the test's `random`). */
  random?: () => number;
}

export interface FetchResponse {
  status: number;
  body: string;
  /** The Location header of a redirect, "" when absent. */
  location: string;
  /** The field at a dotted path as text ("" when absent), like a JSON matcher sees it. */
  json(path: string): string;
}

/**
 * What a test function receives: requests to nodes, node selectors, node
 * lifecycle and concurrency. State carries over from test to test.
 */
export class TestContext {
  private samples: LatencySample[] | undefined;
  private readonly pending = new Set<Promise<void>>();
  /** The history being recorded, while a workload runs: faults injected meanwhile go in it. */
  private recorder: HistoryRecorder | undefined;
  private checked = 0;
  /** The cut mechanism's drop count when the test began (undefined where it cannot count). */
  private readonly dropsAtStart: Promise<number | undefined>;
  /** Every random choice a test makes comes from here (seeded: `clstr test --seed N` replays them). */
  readonly random: () => number;

  constructor(
    private readonly cluster: Cluster,
    private readonly config: SuiteConfig,
    private readonly run: TestRun = { random: Math.random },
  ) {
    this.random = run.random;
    this.dropsAtStart = cluster.droppedByCuts().catch(() => undefined);
  }

  GET(sel: NodeSelector, path: string, body?: string, headers?: Headers): Check {
    return this.check("GET", sel, path, body, headers);
  }
  PUT(sel: NodeSelector, path: string, body?: string, headers?: Headers): Check {
    return this.check("PUT", sel, path, body, headers);
  }
  POST(sel: NodeSelector, path: string, body?: string, headers?: Headers): Check {
    return this.check("POST", sel, path, body, headers);
  }
  DELETE(sel: NodeSelector, path: string, body?: string, headers?: Headers): Check {
    return this.check("DELETE", sel, path, body, headers);
  }
  PATCH(sel: NodeSelector, path: string, body?: string, headers?: Headers): Check {
    return this.check("PATCH", sel, path, body, headers);
  }

  /** Passes when every node (or every named node) passes. */
  allNodes(...names: string[]): NodeSelector {
    return { kind: "all", names };
  }
  /** Passes when exactly one node passes. */
  exactlyOneNode(...names: string[]): NodeSelector {
    return { kind: "exactlyOne", names };
  }
  /** Passes when at least one node passes. */
  atLeastOneNode(...names: string[]): NodeSelector {
    return { kind: "atLeastOne", names };
  }
  /** Every running node except these. */
  exceptNodes(...names: string[]): NodeSelector {
    return { kind: "except", names };
  }
  /** The node names a selector resolves to now. */
  names(sel: NodeSelector): string[] {
    return resolveSelector(sel, this.cluster.running());
  }
  /** The running nodes. */
  nodes(): string[] {
    return this.cluster.running();
  }

  // Faults (node lifecycle and network) go in the history while a workload records one.

  async start(name: string): Promise<void> {
    await this.cluster.start(name);
    for (const fault of this.openFaults("kill", [name])) fault.end("restart", { node: name });
  }
  stop(name: string): Promise<void> {
    this.recorder?.faultStarted("kill", { node: name, signal: "SIGTERM" }, [name]);
    return this.cluster.stop(name);
  }
  kill(name: string): Promise<void> {
    this.recorder?.faultStarted("kill", { node: name, signal: "SIGKILL" }, [name]);
    return this.cluster.kill(name);
  }
  /** SIGTERM (the default) or SIGKILL, then start, then wait for /health. */
  async restart(name: string, signal: StopSignal = "SIGTERM"): Promise<void> {
    const fault = this.recorder?.faultStarted("kill", { node: name, signal }, [name]);
    await this.cluster.restart(name, signal);
    fault?.end("restart", { node: name });
  }

  /** A node's address as its peers know it (its ADDR), e.g. "10.0.42.101:8080". */
  address(name: string): string {
    return this.cluster.address(name);
  }

  /** Fails the test with a message (what went wrong) and a hint (what to do). */
  fail(message: string, hint?: string): never {
    throw new StageFailure(message, hint);
  }

  /** A plain GET whose answer the test inspects itself; undefined if no answer. */
  fetch(name: string, path: string): Promise<FetchResponse | undefined> {
    return this.send(name, "GET", path);
  }

  /**
   * Any request whose answer the test inspects itself; undefined if no
   * answer. A JSON body is sent as such; `timeoutMs` replaces the suite's
   * request timeout (for requests that legitimately take seconds).
   */
  async send(name: string, method: string, path: string, body?: string, options: { timeoutMs?: number } = {}): Promise<FetchResponse | undefined> {
    try {
      const headers = body !== undefined && /^\s*[[{]/.test(body) ? { "Content-Type": "application/json" } : undefined;
      const res = await this.cluster.request(name, { method, path, body, headers, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
      const parsed = parseJson(res.body);
      return {
        status: res.status,
        body: res.body,
        location: res.headers["location"] ?? "",
        json: (p) => {
          if (!parsed.ok) return "";
          const field = lookup(parsed.value, p);
          return field.found && field.value !== null ? asText(field.value) : "";
        },
      };
    } catch {
      return undefined;
    }
  }

  /**
   * Runs fn(1..n), at most the suite's concurrency limit at a time, and
   * writes each node's latency summary to the log. The first failure wins,
   * after every call has finished.
   */
  async concurrently(n: number, fn: (i: number) => Promise<void>): Promise<void> {
    const samples: LatencySample[] = [];
    this.samples = samples;
    let next = 1;
    let firstError: unknown;
    const worker = async () => {
      while (next <= n) {
        const i = next++;
        try {
          await fn(i);
        } catch (err) {
          firstError ??= err;
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(n, this.config.concurrencyLimit) }, worker));
    } finally {
      this.samples = undefined;
      for (const [node, nodeSamples] of groupByNode(samples)) {
        this.cluster.event(node, describeStats(computeStats(nodeSamples)));
      }
    }
    if (firstError !== undefined) throw firstError;
  }

  /** Cuts the network between groups of nodes, both ways, then settles. */
  partition(...groups: string[][]): Promise<void> {
    return this.cut(groups, true);
  }

  /** Cuts like partition, without waiting to settle: for a test that must act in the instant after the cut. */
  partitionNow(...groups: string[][]): Promise<void> {
    return this.cut(groups, false);
  }

  /**
   * Restores every link (impairments stay), then settles. Returns the
   * packets the partition dropped, by the fault mechanism's own count (also
   * in the log); undefined where the mechanism cannot count.
   */
  heal(): Promise<number | undefined> {
    return this.mend(true);
  }

  /** Heals without waiting for the cluster to settle: the test waits on conditions of its own. */
  healNow(): Promise<number | undefined> {
    return this.mend(false);
  }

  /**
   * Packets dropped by partitions since this test began, by the fault
   * mechanism's own count: evidence that a cut took effect. Undefined where
   * the mechanism cannot count (loopback).
   */
  async partitionDrops(): Promise<number | undefined> {
    const [from, now] = await Promise.all([this.dropsAtStart, this.cluster.droppedByCuts()]);
    return from === undefined || now === undefined ? undefined : now - from;
  }

  /** Impairs the outgoing traffic of the selected nodes. */
  async impair(sel: NodeSelector, ...impairments: Impairment[]): Promise<void> {
    if (impairments.length === 0) throw new Error("impair needs at least one impairment: Delay, Loss, Duplicate or Reorder");
    const nodes = this.names(sel);
    this.recorder?.faultStarted("impair", { nodes, impairments: impairments.map((i) => ({ ...i })) }, nodes);
    await this.cluster.impair(nodes, impairments);
  }

  /** Removes impairments from the selected nodes (all when none given). */
  async repair(sel?: NodeSelector): Promise<void> {
    const nodes = sel ? this.names(sel) : this.cluster.all();
    await this.cluster.repair(nodes);
    for (const fault of this.openFaults("impair", nodes)) fault.end("repair", { nodes });
  }

  /**
   * Runs the kv workload: concurrent clients calling GET, PUT and DELETE on
   * /kv/{key} for the duration, with the fault schedule alongside, every
   * call and fault recorded. Check the recording with `expectLinearizable`.
   */
  async runWorkload(options: TestWorkload): Promise<Recording> {
    if (this.recorder) throw new Error("runWorkload is already running in this test: run workloads one after another");
    const { faults = [], random = this.random, ...rest } = options;
    const started = performance.now();
    const nemesis = async (recorder: HistoryRecorder) => {
      this.recorder = recorder;
      await runSchedule(this.faultDriver(), faults, started, this.cluster.signal);
    };
    const target = {
      // The nodes running when the workload starts: not a spare that was never started, nor a node the test stopped for good
      // (a removed member): either would leave a client waiting for an answer that cannot come. Nodes the schedule kills stay.
      nodes: this.cluster.running(),
      address: (n: string) => this.cluster.address(n),
      request: (n: string, req: { method: string; path: string; body?: string; timeoutMs: number }) => this.cluster.request(n, req),
      signal: this.cluster.signal,
    };
    this.cluster.event(CLUSTER, `WORKLOAD: ${options.clients} clients, ${options.keys} keys, ${options.durationMs}ms, ${faults.length} faults`);
    try {
      const run = await runWorkload(target, { ...rest, random, nemesis });
      return { events: run.recorder.events, nemesis: run.recorder.intervals(), counts: run.recorder.counts(), reasons: run.reasons, schedule: [...faults] };
    } finally {
      this.recorder = undefined;
    }
  }

  /**
   * Checks a recording with the kv-cas model (is there one order of the
   * operations, each taking effect between its call and its return, that a
   * single key-value store gives?), saves the history and the verdict, and
   * fails the test when the answer is not yes.
   */
  async expectLinearizable(recording: Recording, hint?: string): Promise<CheckResult> {
    const output = this.run.history;
    const n = ++this.checked;
    const checked = await checkRecording(recording, output && { ...output, stem: n === 1 ? output.stem : `${output.stem}-${n}` });
    const verdict = checked.result.outcome === "ok" ? "linearizable" : checked.result.outcome === "illegal" ? "NOT LINEARIZABLE" : "UNDECIDED";
    this.cluster.event(CLUSTER, `HISTORY: ${verdict}${checked.files ? ` (${checked.files.history})` : ""}`);
    if (checked.failure) throw new StageFailure(checked.failure, hint);
    return checked.result;
  }

  /**
   * Marks a change the test makes to the cluster (a membership change: f
   * "join", "leave" or "reconfigure") in the run's log and, while a workload
   * runs, in its history beside the faults. Call the result with the ending
   * f ("joined", "left", "reconfigured") once the change is done.
   */
  change(f: string, value: Value, nodes: readonly string[]): (endF: string) => void {
    this.cluster.event(CLUSTER, `CHANGE: ${f} ${JSON.stringify(value)}`);
    const open = this.recorder?.faultStarted(f, value, nodes);
    return (endF) => {
      this.cluster.event(CLUSTER, `CHANGE: ${endF} ${JSON.stringify(value)}`);
      open?.end(endF);
    };
  }

  /** Waits for the cluster to settle (in-flight RPCs drain, timeouts expire). */
  settle(ms?: number): Promise<void> {
    return this.cluster.settle(ms);
  }

  /** Checks that were started but not awaited; the runner reports them. */
  drainPending(): Promise<void>[] {
    return [...this.pending];
  }

  private cut(groups: string[][], settle: boolean): Promise<void> {
    this.recorder?.faultStarted("partition", { groups }, groups.flat());
    return this.cluster.partition(groups, settle);
  }

  private async mend(settle: boolean): Promise<number | undefined> {
    const dropped = await this.cluster.heal(settle);
    // The heal carries the evidence that the partition bit, where the mechanism can count.
    for (const fault of this.openFaults("partition")) fault.end("heal", dropped === undefined ? null : { dropped });
    return dropped;
  }

  private openFaults(f: string, nodes?: readonly string[]) {
    return (this.recorder?.openFaults(f) ?? []).filter((fault) => !nodes || fault.nodes.some((n) => nodes.includes(n)));
  }

  /** The fault methods a schedule runs through: these, recorded, without settling. */
  private faultDriver(): FaultDriver {
    return {
      // A schedule kills, restarts and cuts off nodes that exist as far as the test knows; a spare never started is none of them.
      nodes: this.cluster.started(),
      findLeader: () => this.findLeader(),
      kill: (name, signal) => (signal === "SIGKILL" ? this.kill(name) : this.stop(name)),
      start: (name) => this.start(name),
      partition: (groups) => this.cut(groups, false),
      heal: async () => {
        await this.mend(false);
      },
      impair: (nodes, impairments) => this.impair({ kind: "all", names: nodes }, ...impairments),
      repair: (nodes) => this.repair({ kind: "all", names: nodes }),
      note: (text) => this.cluster.event(CLUSTER, text),
    };
  }

  /** The first running node whose GET /cluster/info says role "leader" (the leader-election guide's API). */
  private async findLeader(): Promise<string | undefined> {
    for (const node of this.cluster.running()) {
      const info = await this.send(node, "GET", "/cluster/info");
      if (info?.status === 200 && info.json("role") === "leader") return node;
    }
    return undefined;
  }

  private check(method: string, sel: NodeSelector, path: string, body?: string, headers?: Headers): Check {
    const env: CheckEnv = {
      cluster: this.cluster,
      pollIntervalMs: this.config.pollIntervalMs,
      retryTimeoutMs: this.config.retryTimeoutMs,
      samples: this.samples,
      track: (run) => {
        this.pending.add(run);
        run.then(
          () => this.pending.delete(run),
          () => this.pending.delete(run),
        );
      },
    };
    return new Check(env, method, sel, path, body, headers);
  }
}
