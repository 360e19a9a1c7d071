import type { Workload } from "../workloads/workload.js";
import { availabilityChecker } from "./availability.js";
import { compose, type Checker, type ComposedVerdict } from "./checker.js";
import { latencyChecker } from "./latency.js";
import { netChecker } from "./network.js";
import { workloadChecker } from "./workload.js";

export { compose, worst, type Checker, type ComposedVerdict, type NetStats, type RunFacts, type Validity, type Verdict } from "./checker.js";

/**
 * A run's checkers, as Maelstrom composes them: the workload's, availability
 * (when asked for), network statistics, latency, then the caller's own (a
 * stage's thresholds, say).
 */
export function runCheckers(workload: Workload, opts: { availability?: "total" | number; checkers?: readonly Checker[] }): Checker<ComposedVerdict> {
  return compose([
    workloadChecker(workload),
    ...(opts.availability !== undefined ? [availabilityChecker(opts.availability)] : []),
    netChecker(),
    latencyChecker(),
    ...(opts.checkers ?? []),
  ]);
}
