import type { Model } from "./linearizability.js";

// A compare-and-set register, the model of one key in a linearizable
// key-value store. `null` is a key that was never written.

export type RegisterValue = number | string | boolean | null;

export type RegisterInput =
  | { f: "read" }
  | { f: "write"; value: RegisterValue }
  | { f: "cas"; from: RegisterValue; to: RegisterValue };

/** ok: it happened, with what it returned; info: nobody knows whether it took effect. */
export type RegisterOutput = { outcome: "ok"; value?: RegisterValue } | { outcome: "info" };

export const casRegister: Model<RegisterValue, RegisterInput, RegisterOutput> = {
  init: () => null,
  step(state, input, output) {
    const unknown = output.outcome === "info";
    switch (input.f) {
      case "read":
        // A read whose answer nobody saw tells nothing; a seen one must match.
        return unknown || same(output.value ?? null, state) ? [state] : [];
      case "write":
        return unknown ? [input.value, state] : [input.value];
      case "cas":
        if (same(state, input.from)) return unknown ? [input.to, state] : [input.to];
        return unknown ? [state] : [];
    }
  },
  key: (state) => JSON.stringify(state),
};

function same(a: RegisterValue, b: RegisterValue): boolean {
  return a === b;
}
