import type { FaultKind } from "../faults/mechanisms.js";
import { parseDuration } from "../util/duration.js";

/** Durations are written as "500ms", "1s". */
export type Duration = `${number}ms` | `${number}s`;

export interface SuiteOptions {
  /** Nodes n1..nN, started before the first test. */
  cluster: number;
  /**
   * Nodes n{cluster+1}, ... created with the cluster but not started at boot:
   * a test starts one (`t.start("n6")`) to have it join (PEERS empty, JOIN=true).
   */
  spares?: number;
  startupTimeout?: Duration;
  shutdownTimeout?: Duration;
  /** How long Partition and Heal wait for the cluster to settle. */
  settle?: Duration;
  pollInterval?: Duration;
  requestTimeout?: Duration;
  /** Default timeout of Eventually and Consistently. */
  retryTimeout?: Duration;
  /** Requests in flight at once in `concurrently`. */
  concurrencyLimit?: number;
  /** Network faults the stage injects; a runtime that cannot inject one of them refuses the stage before it starts. */
  needs?: FaultKind[];
}

export interface SuiteConfig {
  /** The members: started at boot, each with the others as PEERS. */
  nodes: string[];
  /** Created with the members, started by tests only. */
  spares: string[];
  startupTimeoutMs: number;
  shutdownTimeoutMs: number;
  settleMs: number;
  pollIntervalMs: number;
  requestTimeoutMs: number;
  retryTimeoutMs: number;
  concurrencyLimit: number;
  needs: FaultKind[];
}

function ms(value: Duration | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = parseDuration(value);
  if (parsed === undefined) throw new Error(`invalid duration ${JSON.stringify(value)}`);
  return parsed;
}

export function resolveOptions(o: SuiteOptions): SuiteConfig {
  if (!Number.isInteger(o.cluster) || o.cluster < 1) throw new Error("cluster must have at least one node");
  const concurrencyLimit = o.concurrencyLimit ?? 50;
  if (concurrencyLimit < 1) throw new Error("concurrency limit must be at least 1");
  const spares = o.spares ?? 0;
  if (!Number.isInteger(spares) || spares < 0) throw new Error("spares must be a whole number of nodes (0 or more)");
  return {
    nodes: Array.from({ length: o.cluster }, (_, i) => `n${i + 1}`),
    spares: Array.from({ length: spares }, (_, i) => `n${o.cluster + i + 1}`),
    startupTimeoutMs: ms(o.startupTimeout, 10_000),
    shutdownTimeoutMs: ms(o.shutdownTimeout, 5_000),
    settleMs: ms(o.settle, 0),
    pollIntervalMs: ms(o.pollInterval, 100),
    requestTimeoutMs: ms(o.requestTimeout, 500),
    retryTimeoutMs: ms(o.retryTimeout, 5_000),
    concurrencyLimit,
    needs: [...new Set(o.needs ?? [])],
  };
}
