import { SERVICE_NAMES } from "./services.js";

// Who takes part in a run, and as what. The run's result lists every
// participant with its kind, so no report or command has to guess a kind from
// a name.

export type ParticipantKind = "node" | "client" | "service";

export interface Participant {
  name: string;
  kind: ParticipantKind;
}

/** The harness's own client: it sends init and the workload's setup requests. */
export const HARNESS_CLIENT = "c0";

/** The clients that run operations: c1..cN. */
export function clientNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `c${i + 1}`);
}

/** A run's participants: its nodes, the services, then the clients (the harness's first). */
export function participantsOf(nodes: readonly string[], clients: readonly string[]): Participant[] {
  return [
    ...nodes.map((name) => ({ name, kind: "node" as const })),
    ...SERVICE_NAMES.map((name) => ({ name, kind: "service" as const })),
    ...[HARNESS_CLIENT, ...clients].map((name) => ({ name, kind: "client" as const })),
  ];
}

/** Names a node of a run with this many clients may not take: its clients' and the services'. */
export function reservedNames(clientCount: number): Set<string> {
  return new Set([HARNESS_CLIENT, ...clientNames(clientCount), ...SERVICE_NAMES]);
}
