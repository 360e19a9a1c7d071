// Reading a history file: the three formats `clstr check linearizable` takes,
// and how it tells them apart when --format is not given.

import { HistoryError, type HistoryEvent } from "../history.js";
import { parseEdnHistory } from "./edn.js";
import { JEPSEN_OP_LINE, parseJepsenLog } from "./jepsenLog.js";
import { parseJsonl } from "./jsonl.js";

export type HistoryFormat = "jsonl" | "edn" | "jepsen-log";

export const HISTORY_FORMATS: readonly HistoryFormat[] = ["jsonl", "edn", "jepsen-log"];

const READERS: Record<HistoryFormat, (text: string) => HistoryEvent[]> = {
  jsonl: parseJsonl,
  edn: parseEdnHistory,
  "jepsen-log": parseJepsenLog,
};

/** Detects the format when `format` is undefined. Throws HistoryError (with a 1-based line number) for anything it cannot read: never a generic crash. */
export function parseHistory(text: string, format?: HistoryFormat): { format: HistoryFormat; events: HistoryEvent[] } {
  const body = text.replace(/^\uFEFF/, "");
  const chosen = format ?? detectFormat(body);
  return { format: chosen, events: READERS[chosen](body) };
}

/**
 * Tells the format from the first line with content (blank lines and `;`
 * comments skipped): a JSON object is jsonl, EDN data is edn, and a file with
 * a jepsen.util operation line anywhere is a Jepsen log.
 */
export function detectFormat(text: string): HistoryFormat {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const index = lines.findIndex((l) => l.trim() !== "" && !l.trimStart().startsWith(";"));
  if (index === -1) throw new HistoryError("the history is empty: it has no events to check");
  const first = lines[index]!.trim();
  if (/^\{\s*"/.test(first) || (first.startsWith("{") && isJsonObject(first))) return "jsonl";
  if (/^[[(#]/.test(first) || /^\{\s*:/.test(first)) return "edn";
  if (lines.some((l) => JEPSEN_OP_LINE.test(l))) return "jepsen-log";
  throw new HistoryError(
    `cannot tell the format; pass --format ${HISTORY_FORMATS.join(", ")} (jsonl: one JSON object per line; edn: Jepsen's history.edn; jepsen-log: lines "INFO  jepsen.util - 3 :invoke :read nil")`,
    index + 1,
  );
}

function isJsonObject(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === "object" && !Array.isArray(value);
  } catch {
    return false;
  }
}
