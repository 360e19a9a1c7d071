// What `impair` can do to a node's outgoing traffic, as in the public attest
// (Delay, Loss, Duplicate, Reorder), independent of the mechanism that does it.

export type Impairment =
  | { kind: "delay"; ms: number; jitterMs: number }
  | { kind: "loss"; percent: number }
  | { kind: "duplicate"; percent: number }
  | { kind: "reorder"; percent: number };

export type ImpairmentKind = Impairment["kind"];

function percentage(what: string, percent: number): number {
  if (!(percent >= 0 && percent <= 100)) throw new Error(`${what} must be between 0 and 100 percent, got ${percent}`);
  return percent;
}

/** Delays outgoing packets by `ms`, optionally ± `jitterMs` (normally distributed). */
export function Delay(ms: number, jitterMs = 0): Impairment {
  if (!(ms >= 0) || !(jitterMs >= 0)) throw new Error(`delay and jitter must be non-negative, got ${ms}ms ± ${jitterMs}ms`);
  return { kind: "delay", ms, jitterMs };
}

/** Drops `percent` of outgoing packets at random. */
export function Loss(percent: number): Impairment {
  return { kind: "loss", percent: percentage("loss", percent) };
}

/** Sends `percent` of outgoing packets twice. */
export function Duplicate(percent: number): Impairment {
  return { kind: "duplicate", percent: percentage("duplicate", percent) };
}

/** Sends `percent` of outgoing packets ahead of the delayed rest; needs a Delay to have any effect. */
export function Reorder(percent: number): Impairment {
  return { kind: "reorder", percent: percentage("reorder", percent) };
}

/** The log annotation's words for one impairment, as the public attest writes them. */
export function describeImpairment(imp: Impairment): string {
  switch (imp.kind) {
    case "delay":
      return `packet delay ${imp.ms / 1000}s${imp.jitterMs ? ` ±${imp.jitterMs / 1000}s` : ""}`;
    case "loss":
      return `packet loss ${imp.percent}%`;
    case "duplicate":
      return `packet duplicate ${imp.percent}%`;
    case "reorder":
      return `packet reorder ${imp.percent}%`;
  }
}

/** All impairments of one `impair` call folded into one setting (a later one of a kind wins). */
export interface ImpairmentSettings {
  delayMs: number;
  jitterMs: number;
  lossPercent: number;
  duplicatePercent: number;
  reorderPercent: number;
}

export function settingsOf(impairments: readonly Impairment[]): ImpairmentSettings {
  const s: ImpairmentSettings = { delayMs: 0, jitterMs: 0, lossPercent: 0, duplicatePercent: 0, reorderPercent: 0 };
  for (const imp of impairments) {
    if (imp.kind === "delay") {
      s.delayMs = imp.ms;
      s.jitterMs = imp.jitterMs;
    } else if (imp.kind === "loss") s.lossPercent = imp.percent;
    else if (imp.kind === "duplicate") s.duplicatePercent = imp.percent;
    else s.reorderPercent = imp.percent;
  }
  return s;
}

/** The `tc qdisc … netem` arguments for these settings, as the public attest builds them. */
export function netemArgs(s: ImpairmentSettings): string[] {
  const args: string[] = [];
  if (s.delayMs || s.jitterMs) {
    args.push("delay", `${s.delayMs}ms`);
    if (s.jitterMs) args.push(`${s.jitterMs}ms`, "25%", "distribution", "normal");
  }
  if (s.lossPercent) args.push("loss", `${s.lossPercent.toFixed(2)}%`, "25%");
  if (s.duplicatePercent) args.push("duplicate", `${s.duplicatePercent.toFixed(2)}%`);
  if (s.reorderPercent) args.push("reorder", `${s.reorderPercent.toFixed(2)}%`, "25%");
  return args;
}
