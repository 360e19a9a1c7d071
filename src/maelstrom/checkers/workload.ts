import type { Workload } from "../workloads/workload.js";
import type { Checker } from "./checker.js";

/** The workload's own history checker as a part of the verdict, named "workload" (its figures are Maelstrom's checker facts). */
export function workloadChecker(workload: Workload): Checker {
  return {
    name: "workload",
    check({ history }) {
      const { valid, problems, ...figures } = workload.check(history);
      return { valid, figures, failures: problems };
    },
  };
}
