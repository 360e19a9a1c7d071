// What `impair` can do to a node's outgoing traffic.

export type Impairment =
  | { kind: "loss"; percent: number }
  | { kind: "delay"; ms: number; jitterMs: number };

/** Drops `percent` of outgoing packets at random. */
export function Loss(percent: number): Impairment {
  if (!(percent >= 0 && percent <= 100)) throw new Error(`loss must be 0-100%, got ${percent}`);
  return { kind: "loss", percent };
}

/** Delays outgoing packets by `ms` (± `jitterMs`). */
export function Delay(ms: number, jitterMs = 0): Impairment {
  return { kind: "delay", ms, jitterMs };
}
