// Maelstrom's wire protocol: newline-delimited JSON messages between nodes,
// clients and services, RPCs by msg_id / in_reply_to, and its error codes.

export interface Body {
  type: string;
  msg_id?: number;
  in_reply_to?: number;
  [field: string]: unknown;
}

export interface Message {
  src: string;
  dest: string;
  body: Body;
}

/** Maelstrom's error codes; definite errors mean the operation certainly did not happen. */
export const ERRORS: Record<number, { name: string; definite: boolean }> = {
  0: { name: "timeout", definite: false },
  1: { name: "node-not-found", definite: true },
  10: { name: "not-supported", definite: true },
  11: { name: "temporarily-unavailable", definite: true },
  12: { name: "malformed-request", definite: true },
  13: { name: "crash", definite: false },
  14: { name: "abort", definite: true },
  20: { name: "key-does-not-exist", definite: true },
  21: { name: "key-already-exists", definite: true },
  22: { name: "precondition-failed", definite: true },
  30: { name: "txn-conflict", definite: true },
};

/** Whether an error reply means the operation certainly did not take effect (codes 1000+ are the node's own: indefinite). */
export function isDefinite(code: number): boolean {
  return ERRORS[code]?.definite ?? false;
}

export function errorName(code: number): string {
  return ERRORS[code]?.name ?? (code >= 1000 ? `custom-${code}` : `unknown-${code}`);
}

/** Checks one line a node printed; returns the message or why it is not one. */
export function parseLine(line: string): { ok: true; message: Message } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: "it is not JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, reason: "it is not a JSON object" };
  const m = value as Record<string, unknown>;
  if (typeof m.src !== "string") return { ok: false, reason: 'it has no string "src"' };
  if (typeof m.dest !== "string") return { ok: false, reason: 'it has no string "dest"' };
  if (typeof m.body !== "object" || m.body === null || Array.isArray(m.body)) return { ok: false, reason: 'it has no object "body"' };
  const body = m.body as Record<string, unknown>;
  if (typeof body.type !== "string") return { ok: false, reason: 'its body has no string "type"' };
  for (const field of ["msg_id", "in_reply_to"]) {
    if (body[field] !== undefined && !Number.isInteger(body[field])) return { ok: false, reason: `its body's "${field}" is not an integer` };
  }
  return { ok: true, message: { src: m.src, dest: m.dest, body: body as Body } };
}
