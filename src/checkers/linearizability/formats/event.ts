// One history event as every format reads it: the fields a format found,
// checked against one schema that produces a HistoryEvent.

import { HistoryError, type HistoryEvent, type Value } from "../history.js";

/** A short, readable form of what was found, for messages. */
function preview(input: unknown): string {
  const text = input === null ? "nil" : JSON.stringify(input) ?? String(input);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** "is missing" when the field is absent, else "must be <what> (found <input>)". */
const must = (what: string, input: unknown): string => (input === undefined ? "is missing" : `must be ${what} (found ${preview(input)})`);

const TYPES = new Set(["invoke", "ok", "fail", "info"]);

/** What is wrong with the fields, as [field, problem], or undefined. Checked by hand: this runs for every event of big histories. */
function problem(fields: { [key: string]: Value }): [string, string] | undefined {
  const { process, type, f, value, time } = fields;
  if (!(typeof process === "number" ? Number.isInteger(process) : typeof process === "string" && process.length > 0)) {
    return ["process", must('a client number, or a name such as "nemesis"', process)];
  }
  if (typeof type !== "string" || !TYPES.has(type)) return ["type", must('"invoke", "ok", "fail" or "info"', type)];
  if (typeof f !== "string") return ["f", must('the operation\'s name, such as "read"', f)];
  if (f.length === 0) return ["f", must("a name that is not empty", f)];
  if (value === undefined) return ["value", "is missing (write null when the operation has no value)"];
  if (time !== undefined) {
    if (typeof time !== "number") return ["time", must("a time in nanoseconds", time)];
    if (!Number.isFinite(time)) return ["time", must("a finite time", time)];
    if (time < 0) return ["time", must("a time that is not negative", time)];
  }
  return undefined;
}

/**
 * Checks the fields read on `line` and makes them an event. `name` writes a
 * field's name as the format spells it ("type" in JSON, :type in EDN).
 */
export function toEvent(fields: { [key: string]: Value }, line: number, name: (field: string) => string): HistoryEvent {
  const wrong = problem(fields);
  if (wrong) throw new HistoryError(`${name(wrong[0])} ${wrong[1]}`, line);
  const { process, type, f, key, value, time } = fields as { process: number | string; type: HistoryEvent["type"]; f: string; key?: Value; value: Value; time?: number };
  const event: HistoryEvent = { process, type, f, value, line };
  if (key !== undefined) event.key = key;
  if (time !== undefined) event.time = time;
  return event;
}
