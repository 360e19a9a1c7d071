import type { Operation } from "../history.js";
import type { CheckResult, Workload } from "./workload.js";

/**
 * Clients ask for `generate`; every id handed out must be unique across the cluster.
 * The checker is one pass over the history: time O(operations × id size),
 * memory one Map entry (the id as JSON, and its first operation) per id.
 */
export function uniqueIdsWorkload(): Workload {
  return {
    name: "unique-ids",
    next: () => ({ type: "generate" }),
    check(history: readonly Operation[]): CheckResult {
      const seen = new Map<string, Operation>();
      const duplicates: string[] = [];
      let missing = 0;
      for (const op of history) {
        if (op.outcome !== "ok") continue;
        if (op.reply?.id === undefined) {
          missing++;
          continue;
        }
        const key = JSON.stringify(op.reply.id);
        const earlier = seen.get(key);
        if (earlier) duplicates.push(`id ${key} was generated twice: by ${earlier.node} at ${(earlier.invokedAt / 1000).toFixed(3)}s and by ${op.node} at ${(op.invokedAt / 1000).toFixed(3)}s`);
        else seen.set(key, op);
      }
      const problems = [...(missing ? [`${missing} generate_ok replies had no "id"`] : []), ...duplicates.slice(0, 10)];
      if (seen.size === 0) problems.push("no generate request was answered");
      const attempted = history.length;
      const acknowledged = history.filter((o) => o.outcome === "ok").length;
      return {
        valid: problems.length === 0,
        problems,
        "attempted-count": attempted,
        "acknowledged-count": acknowledged,
        "duplicated-count": duplicates.length,
        "availability": attempted ? acknowledged / attempted : 0,
      };
    },
  };
}
