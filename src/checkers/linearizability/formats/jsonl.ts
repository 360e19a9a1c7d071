// JSON Lines histories: one event per line, as a JSON object
// {"process": 0, "type": "invoke", "f": "read", "key": "x", "value": null, "time": 1200}.
// Blank lines are allowed; times are nanoseconds.

import { HistoryError, type HistoryEvent, type Value } from "../history.js";
import { toEvent } from "./event.js";

export function parseJsonl(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "") return;
    let fields: Value;
    try {
      fields = JSON.parse(raw) as Value;
    } catch (err) {
      throw new HistoryError(`this line is not valid JSON (${(err as Error).message}): write one JSON object per line`, line);
    }
    if (fields === null || typeof fields !== "object" || Array.isArray(fields)) {
      throw new HistoryError(`expected one JSON object per line, such as {"process": 0, "type": "invoke", "f": "read", "value": null}; found ${Array.isArray(fields) ? "an array" : JSON.stringify(fields)}`, line);
    }
    events.push(toEvent(fields, line, (field) => `field "${field}"`));
  });
  return events;
}
