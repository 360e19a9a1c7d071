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
      const main = history.filter((o) => !o.final);
      const unacked = main.filter((o) => o.outcome !== "ok");
      const share = main.length === 0 ? 1 : (main.length - unacked.length) / main.length;
      const required = availability === "total" ? 1 : availability;
      const figures = { "attempted-count": main.length, "acknowledged-count": main.length - unacked.length, "acknowledged-share": share, required: availability };
      if (unacked.length === 0 || share >= required) return { valid: true, figures, failures: [] };
      const example = unacked[0]!;
      const why = example.reply ? `error ${String(example.reply.code)} (${errorName(Number(example.reply.code))})` : "no reply within the timeout";
      const level = availability === "total" ? "availability total" : `availability ${availability}`;
      const failure = `${level}: ${unacked.length} of ${main.length} requests were not acknowledged (${(share * 100).toFixed(1)}% succeeded${availability === "total" ? "" : `, ${(required * 100).toFixed(1)}% must`}), e.g. ${example.f} to ${example.node}: ${why}`;
      return { valid: false, figures, failures: [failure] };
    },
  };
}
