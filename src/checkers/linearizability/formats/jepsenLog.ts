// Jepsen's log, as its tests print each operation through jepsen.util:
//
//   INFO  jepsen.util - 3	:invoke	:cas	[1 4]
//   2021-02-26 23:39:01,300{GMT}	INFO	[jepsen worker 1] jepsen.util: 1	:ok	:write	[0 2]
//
// Fields after the logger name: process, type, f and the value (EDN), then,
// for some failures, an error after a tab, which we ignore. Every other log
// line is skipped. The log's times are milliseconds, too coarse to order
// operations, so events keep their order in the file instead.

import { HistoryError, type HistoryEvent } from "../history.js";
import { readEdnPrefix } from "./ednReader.js";
import { toEvent } from "./event.js";

/** A jepsen.util line that logs an operation; groups: process, type, f, value (and what follows it). */
export const JEPSEN_OP_LINE = /^(?:.*\s)?INFO\s+(?:\[[^\]]*\]\s+)?jepsen\.util(?:\s+-|:)\s+(-?\d+|:\S+)\s+:(invoke|ok|fail|info)\s+:?(\S+)(?:\s+(.*))?$/;

export function parseJepsenLog(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const m = JEPSEN_OP_LINE.exec(raw);
    if (!m) return;
    const [, process, type, f, rest] = m;
    const value = rest === undefined || rest.trim() === "" ? null : readValue(rest, line);
    const proc = /^-?\d+$/.test(process!) ? Number(process) : process!.replace(/^:/, "");
    events.push(toEvent({ process: proc, type: type!, f: f!, value }, line, (field) => `the ${field} field`));
  });
  return events;
}

function readValue(text: string, line: number) {
  let read;
  try {
    read = readEdnPrefix(text, line);
  } catch (err) {
    if (err instanceof HistoryError) throw new HistoryError(`the value ${JSON.stringify(text)} is not EDN: ${err.message.replace(/^line \d+: /, "")}`, line);
    throw err;
  }
  // What follows the value must be nothing, or an error after a tab.
  if (read.rest.trim() !== "" && !read.rest.startsWith("\t")) {
    throw new HistoryError(`the value ${JSON.stringify(text)} is not one EDN value: "${read.rest.trim()}" follows it`, line);
  }
  return read.value;
}
