import { errorName } from "../protocol.js";
import type { Checker } from "./checker.js";

/**
 * Whether enough requests of the main phase were acknowledged (--availability):
 * "total" means every one, a number the fraction that must be.
 */
export function availabilityChecker(availability: "total" | number): Checker {
  return {
    name: "availability",
    check({ history }) {
      // Counted in one pass (runs of a million operations): no copies of the history.
      let mainCount = 0;
      let unackedCount = 0;
      let example: (typeof history)[number] | undefined;
      for (let i = 0; i < history.length; i++) {
        const o = history[i]!;
        if (o.final) continue;
        mainCount++;
        if (o.outcome !== "ok") {
          unackedCount++;
          example ??= o;
        }
      }
      const share = mainCount === 0 ? 1 : (mainCount - unackedCount) / mainCount;
      const required = availability === "total" ? 1 : availability;
      const figures = { "attempted-count": mainCount, "acknowledged-count": mainCount - unackedCount, "acknowledged-share": share, required: availability };
      if (unackedCount === 0 || share >= required) return { valid: true, figures, failures: [] };
      if (!example) return { valid: true, figures, failures: [] };
      const why = example.reply ? `error ${String(example.reply.code)} (${errorName(Number(example.reply.code))})` : "no reply within the timeout";
      const level = availability === "total" ? "availability total" : `availability ${availability}`;
      const failure = `${level}: ${unackedCount} of ${mainCount} requests were not acknowledged (${(share * 100).toFixed(1)}% succeeded${availability === "total" ? "" : `, ${(required * 100).toFixed(1)}% must`}), e.g. ${example.f} to ${example.node}: ${why}`;
      return { valid: false, figures, failures: [failure] };
    },
  };
}
