// Jepsen's EDN histories: a vector (or list) of operation maps, or one map per
// line, such as {:process 0, :type :invoke, :f :read, :key "x", :value nil, :time 1200}.
// Records (#jepsen.history.Op{...}) read as maps; keys we do not use (:index,
// :error, ...) are ignored; a map without :value has the value nil.

import { HistoryError, type HistoryEvent, type Value } from "../history.js";
import { readEdn } from "./ednReader.js";
import { toEvent } from "./event.js";

export function parseEdnHistory(text: string): HistoryEvent[] {
  const { forms, lineOf } = readEdn(text);
  // A single vector or list holds the operations; otherwise each form is one.
  const ops =
    forms.length === 1 && Array.isArray(forms[0]!.value)
      ? forms[0]!.value.map((value) => ({ value, line: (isMap(value) && lineOf(value)) || forms[0]!.line }))
      : forms;
  return ops.map(({ value, line }) => {
    if (!isMap(value)) {
      throw new HistoryError(`expected an operation map such as {:process 0, :type :invoke, :f :read, :value nil}, found ${describeForm(value)}`, line);
    }
    return toEvent({ value: null, ...value }, line, (field) => `:${field}`);
  });
}

function isMap(value: Value): value is { [key: string]: Value } {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function describeForm(value: Value): string {
  if (Array.isArray(value)) return "a vector";
  if (value === null) return "nil";
  return typeof value === "string" ? `the word ${JSON.stringify(value)}` : JSON.stringify(value);
}
