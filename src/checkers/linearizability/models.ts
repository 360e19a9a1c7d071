import { show, type Operation, type Value } from "./history.js";
import { hashString, type Model } from "./model.js";

// The sequential objects histories are checked against. Each is a few lines:
// a state, what each operation does to it, and how to split a history into
// independent parts.

const text = (v: Value | undefined): string => JSON.stringify(v ?? null);
const sameValue = (a: Value | undefined, b: Value | undefined): boolean => a === b || text(a) === text(b);
const pair = (v: Value): [Value, Value] | undefined => (Array.isArray(v) && v.length === 2 ? [v[0]!, v[1]!] : undefined);

/** A register holding one value (nil at first): read and write. */
export const register: Model<Value> = {
  name: "register",
  summary: "one value (nil at first): read → value, write(v)",
  init: () => null,
  step(state, op) {
    if (op.f === "read") return op.status === "info" || sameValue(op.output, state) ? [state] : [];
    return [op.input];
  },
  hash: (s) => hashString(text(s)),
  equal: sameValue,
  describe: (s) => `the value was ${show(s)}`,
  readOnly: (op) => op.f === "read",
  validate: (op) => (op.f === "read" || op.f === "write" ? undefined : `register knows read and write, not ${op.f}`),
};

/** A register with compare-and-set, Jepsen's etcd model: a cas that did not match is a `fail`, so never here. */
export const casRegister: Model<Value> = {
  ...register,
  name: "cas-register",
  summary: "one value (nil at first): read → value, write(v), cas([expected, new]) (a cas that did not match is a fail)",
  step(state, op) {
    if (op.f !== "cas") return register.step(state, op);
    const [from, to] = pair(op.input)!;
    return sameValue(state, from) ? [to] : [];
  },
  validate: (op) =>
    op.f === "cas" ? (pair(op.input) ? undefined : `cas takes [expected, new], not ${show(op.input)}`) : register.validate!(op)?.replace("read and write", "read, write and cas"),
};

/** The state of a key-value store: the keys that hold a value, and a hash kept as the map changes. */
export interface KvState {
  values: ReadonlyMap<string, Value>;
  hash: number;
}

const entryHash = (key: string, value: Value) => hashString(text(value), hashString(key));
const emptyKv: KvState = { values: new Map(), hash: 0 };

function setKey(state: KvState, key: string, value: Value | undefined): KvState {
  const old = state.values.get(key);
  if (old === undefined ? value === undefined : value !== undefined && sameValue(old, value)) return state;
  const values = new Map(state.values);
  let hash = state.hash;
  if (old !== undefined) hash = (hash - entryHash(key, old)) | 0;
  if (value === undefined) values.delete(key);
  else {
    values.set(key, value);
    hash = (hash + entryHash(key, value)) | 0;
  }
  return { values, hash };
}

const kvEqual = (a: KvState, b: KvState): boolean => {
  if (a === b) return true;
  if (a.hash !== b.hash || a.values.size !== b.values.size) return false;
  for (const [k, v] of a.values) if (!b.values.has(k) || !sameValue(b.values.get(k), v)) return false;
  return true;
};

const describeKv = (missing: string) => (s: KvState) =>
  s.values.size === 0 ? `every key was ${missing}` : [...s.values].map(([k, v]) => `${k} = ${show(v)}`).join(", ");

/** A key as text: JSON, so "2" and 2 stay apart. */
const keyOf = (op: Operation): string => text(op.key);

/** Keys to values, with the operations named as `names` says; a missing key reads as `missing`. */
function keyValueModel(spec: {
  name: string;
  summary: string;
  read: string;
  write: string;
  remove?: string;
  cas?: string;
  append?: string;
  missing: Value;
  missingText: string;
}): Model<KvState> {
  const fs = [spec.read, spec.write, spec.remove, spec.cas, spec.append].filter((f): f is string => f !== undefined);
  const current = (s: KvState, key: string): Value => s.values.get(key) ?? spec.missing;
  const stored = (v: Value): Value | undefined => (sameValue(v, spec.missing) ? undefined : v);
  return {
    name: spec.name,
    summary: spec.summary,
    init: () => emptyKv,
    step(state, op) {
      const key = keyOf(op);
      switch (op.f) {
        case spec.read:
          return op.status === "info" || sameValue(op.output ?? null, current(state, key)) ? [state] : [];
        case spec.write:
          return [setKey(state, key, stored(op.input))];
        case spec.remove:
          return [setKey(state, key, undefined)];
        case spec.append:
          return [setKey(state, key, stored(String(current(state, key) ?? "") + String(op.input ?? "")))];
        case spec.cas: {
          const [from, to] = pair(op.input)!;
          return sameValue(current(state, key), from) ? [setKey(state, key, stored(to))] : [];
        }
        default:
          return [];
      }
    },
    hash: (s) => s.hash >>> 0,
    equal: kvEqual,
    describe: describeKv(spec.missingText),
    partition: keyOf,
    readOnly: (op) => op.f === spec.read,
    validate(op) {
      if (!fs.includes(op.f)) return `${spec.name} knows ${fs.join(", ")}, not ${op.f}`;
      if (op.key === undefined) return `${op.f} has no key`;
      if (op.f === spec.cas && !pair(op.input)) return `${op.f} takes [expected, new], not ${show(op.input)}`;
      return undefined;
    },
  };
}

/** The 6.824 lab's key-value store: get, put and append of strings; a missing key reads as "". */
export const kv = keyValueModel({ name: "kv", summary: 'per key: get → value ("" when missing), put(v), append(v)', read: "get", write: "put", append: "append", missing: "", missingText: '""' });

/** Our kv-store's HTTP API: get (nil when not found), put, delete, cas([expected, new]). */
export const kvCas = keyValueModel({
  name: "kv-cas",
  summary: "per key: get → value (nil when not found), put(v), delete, cas([expected, new]) (a cas that did not match is a fail)",
  read: "get",
  write: "put",
  remove: "delete",
  cas: "cas",
  missing: null,
  missingText: "not found",
});

const linKvBase = keyValueModel({
  name: "lin-kv",
  summary: "Maelstrom's lin-kv service per key: read → value (nil when the key does not exist, error 20), write(v), cas([from, to]) (error 22 is a fail)",
  read: "read",
  write: "write",
  cas: "cas",
  missing: null,
  missingText: "absent",
});

/** Maelstrom's lin-kv service. Jepsen's independent histories carry the key in the value, `[key, value]`: taken apart here. */
export const linKv: Model<KvState> = { ...linKvBase, normalize: independent };

function independent(op: Operation): Operation {
  if (op.key !== undefined) return op;
  const tuple = pair(op.input);
  if (!tuple) return op;
  const split: Operation = { ...op, key: tuple[0], input: tuple[1] };
  if (op.output !== undefined) split.output = pair(op.output)?.[1] ?? op.output;
  return split;
}

export const MODELS: Readonly<Record<string, Model<any>>> = {
  register,
  "cas-register": casRegister,
  kv,
  "kv-cas": kvCas,
  "lin-kv": linKv,
};

export function modelNamed(name: string): Model<any> {
  const model = MODELS[name];
  if (!model) throw new Error(`There is no model "${name}"; the models are ${Object.keys(MODELS).join(", ")}.`);
  return model;
}
