import type { Impairment } from "../../faults/impairments.js";
import { describeFault, describeNode, type NodeChoice, type ScheduledFault } from "../../faults/schedule.js";
import { pause } from "../../util/pause.js";

// Runs a fault schedule against the cluster, one fault at a time at its
// time. Faults go through the test context's own fault methods, which put
// them in the history being recorded; here only "the leader" is resolved.

/** The fault methods a schedule needs (the test context's, which record each fault). */
export interface FaultDriver {
  /** Every node of the cluster. */
  nodes: readonly string[];
  /** The node that reports itself leader now, if any. */
  findLeader(): Promise<string | undefined>;
  kill(name: string, signal: "SIGKILL" | "SIGTERM"): Promise<void>;
  start(name: string): Promise<void>;
  /** Without settling: the schedule keeps its own time. */
  partition(groups: string[][]): Promise<void>;
  heal(): Promise<void>;
  impair(nodes: string[], impairments: Impairment[]): Promise<void>;
  repair(nodes: string[]): Promise<void>;
  /** A line in the run's log. */
  note(text: string): void;
}

/** How long "the leader" is looked for before the fault falls on the first node instead. */
const LEADER_WAIT_MS = 2_000;
const LEADER_POLL_MS = 100;

/** Runs each fault at `atMs` after `startedAt` (a performance.now() time) and ends it `forMs` later. */
export async function runSchedule(driver: FaultDriver, schedule: readonly ScheduledFault[], startedAt: number, signal: AbortSignal): Promise<void> {
  for (const step of schedule) {
    await until(startedAt + step.atMs, signal);
    if (signal.aborted) return;
    const end = await inject(driver, step, signal);
    await until(Math.max(performance.now(), startedAt + step.atMs + step.forMs), signal);
    await end();
  }
}

/** Starts one fault; returns what ends it. */
async function inject(driver: FaultDriver, step: ScheduledFault, signal: AbortSignal): Promise<() => Promise<void>> {
  const fault = step.fault;
  switch (fault.kind) {
    case "kill": {
      const node = await resolve(driver, fault.node, signal);
      driver.note(`NEMESIS: ${describeFault(fault)}: ${node}`);
      await driver.kill(node, fault.signal);
      return () => driver.start(node);
    }
    case "isolate": {
      const node = await resolve(driver, fault.node, signal);
      driver.note(`NEMESIS: ${describeFault(fault)}: ${node}`);
      await driver.partition([[node], driver.nodes.filter((n) => n !== node)]);
      return () => driver.heal();
    }
    case "split":
      driver.note(`NEMESIS: ${describeFault(fault)}`);
      await driver.partition(fault.groups);
      return () => driver.heal();
    case "impair": {
      const node = await resolve(driver, fault.node, signal);
      driver.note(`NEMESIS: ${describeFault(fault)}: ${node}`);
      await driver.impair([node], fault.impairments);
      return () => driver.repair([node]);
    }
  }
}

/** The node a choice names now: the reported leader (waiting a little for one), else the first node. */
async function resolve(driver: FaultDriver, choice: NodeChoice, signal: AbortSignal): Promise<string> {
  if (choice.kind === "node") return choice.name;
  const deadline = performance.now() + LEADER_WAIT_MS;
  for (;;) {
    const leader = await driver.findLeader();
    if (leader) return leader;
    if (performance.now() >= deadline || signal.aborted) break;
    await until(performance.now() + LEADER_POLL_MS, signal);
  }
  driver.note(`NEMESIS: no node reported itself leader within ${LEADER_WAIT_MS}ms; ${describeNode(choice)} is ${driver.nodes[0]} this time`);
  return driver.nodes[0]!;
}

function until(at: number, signal: AbortSignal): Promise<void> {
  return pause(at - performance.now(), signal);
}
