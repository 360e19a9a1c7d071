import type { ProtocolViolation } from "./nodeProcess.js";

/** A protocol violation in lines: what the node did, the offending line, its last stderr lines. */
export function describeViolation(v: ProtocolViolation): string[] {
  return [
    `Node ${v.node} ${v.problem}.`,
    ...(v.line !== undefined ? [`  Offending line: ${v.line.length > 300 ? `${v.line.slice(0, 300)}…` : v.line}`] : []),
    ...(v.stderr.length ? ["  Its last stderr lines:", ...v.stderr.slice(-8).map((l) => `    ${l}`)] : []),
  ];
}
