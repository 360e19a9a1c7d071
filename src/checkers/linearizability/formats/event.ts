// One history event as every format reads it: the fields a format found,
// checked against one schema that produces a HistoryEvent.

import { z } from "zod";
import { HistoryError, type HistoryEvent, type Value } from "../history.js";

/** A short, readable form of what was found, for messages. */
function preview(input: unknown): string {
  const text = input === null ? "nil" : JSON.stringify(input) ?? String(input);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** "is missing" when the field is absent, else "must be <what> (found <input>)". */
const must =
  (what: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? "is missing" : `must be ${what} (found ${preview(issue.input)})`;

const EventFields = z.object({
  process: z.union([z.number().int(), z.string().min(1)], { error: must('a client number, or a name such as "nemesis"') }),
  type: z.enum(["invoke", "ok", "fail", "info"], { error: must('"invoke", "ok", "fail" or "info"') }),
  f: z.string({ error: must('the operation\'s name, such as "read"') }).min(1, { error: must("a name that is not empty") }),
  key: z.custom<Value>().optional(),
  value: z.custom<Value>((v) => v !== undefined, { error: "is missing (write null when the operation has no value)" }),
  time: z.number({ error: must("a time in nanoseconds") }).finite({ error: must("a finite time") }).nonnegative({ error: must("a time that is not negative") }).optional(),
});

/**
 * Checks the fields read on `line` and makes them an event. `name` writes a
 * field's name as the format spells it ("type" in JSON, :type in EDN).
 */
export function toEvent(fields: { [key: string]: Value }, line: number, name: (field: string) => string): HistoryEvent {
  const parsed = EventFields.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HistoryError(`${name(String(issue.path[0] ?? "event"))} ${issue.message}`, line);
  }
  const { process, type, f, key, value, time } = parsed.data;
  const event: HistoryEvent = { process, type, f, value, line };
  if (key !== undefined) event.key = key;
  if (time !== undefined) event.time = time;
  return event;
}
