import { Check, type CheckEnv, type Headers } from "./check.js";
import type { Cluster, StopSignal } from "./cluster.js";
import { asText, lookup, parseJson } from "./jsonPath.js";
import type { SuiteConfig } from "./options.js";
import { resolveSelector, type NodeSelector } from "./selectors.js";
import type { Impairment } from "../faults/impairments.js";
import { StageFailure } from "./failure.js";
import { computeStats, describeStats, groupByNode, type LatencySample } from "./stats.js";

export interface FetchResponse {
  status: number;
  body: string;
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

  constructor(
    private readonly cluster: Cluster,
    private readonly config: SuiteConfig,
  ) {}

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

  start(name: string): Promise<void> {
    return this.cluster.start(name);
  }
  stop(name: string): Promise<void> {
    return this.cluster.stop(name);
  }
  kill(name: string): Promise<void> {
    return this.cluster.kill(name);
  }
  /** SIGTERM (the default) or SIGKILL, then start, then wait for /health. */
  restart(name: string, signal: StopSignal = "SIGTERM"): Promise<void> {
    return this.cluster.restart(name, signal);
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

  /** Any request whose answer the test inspects itself; undefined if no answer. */
  async send(name: string, method: string, path: string, body?: string): Promise<FetchResponse | undefined> {
    try {
      const res = await this.cluster.request(name, { method, path, body });
      const parsed = parseJson(res.body);
      return {
        status: res.status,
        body: res.body,
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
    return this.cluster.partition(groups);
  }

  /** Restores every link and removes impairments, then settles. */
  heal(): Promise<void> {
    return this.cluster.heal();
  }

  /** Impairs the outgoing traffic of the selected nodes. */
  async impair(sel: NodeSelector, ...impairments: Impairment[]): Promise<void> {
    if (impairments.length === 0) throw new Error("impair needs at least one impairment: Delay, Loss, Duplicate or Reorder");
    await this.cluster.impair(this.names(sel), impairments);
  }

  /** Removes impairments from the selected nodes (all when none given). */
  repair(sel?: NodeSelector): Promise<void> {
    return this.cluster.repair(sel ? this.names(sel) : this.cluster.all());
  }

  /** Waits for the cluster to settle (in-flight RPCs drain, timeouts expire). */
  settle(ms?: number): Promise<void> {
    return this.cluster.settle(ms);
  }

  /** Checks that were started but not awaited; the runner reports them. */
  drainPending(): Promise<void>[] {
    return [...this.pending];
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
