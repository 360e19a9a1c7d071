import { show, type Operation, type Value } from "./history.js";
import { hashString, type Model } from "./model.js";

// The sequential objects histories are checked against. Each is a few lines:
// a state, what each operation does to it, and how to split a history into
// independent parts.

const text = (v: Value | undefined): string => JSON.stringify(v ?? null);
/** Equal as JSON values (undefined as nil); primitives compared directly, the common case. */
const sameValue = (a: Value | undefined, b: Value | undefined): boolean => {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return (a ?? null) === (b ?? null);
  return text(a) === text(b);
};
/** A value's hash: FNV over a string (so that appending can extend it instead of redoing it), small integers mixed directly, anything else by its JSON. */
const valueHash = (v: Value | undefined): number => {
  if (typeof v === "string") return hashString(v);
  if (typeof v === "number" && (v | 0) === v) return Math.imul(v ^ 0x2c1b3c6d, 0x297a2d39) >>> 0;
  return hashString(text(v), 0x1b873593);
};
const pair = (v: Value): [Value, Value] | undefined => (Array.isArray(v) && v.length === 2 ? [v[0]!, v[1]!] : undefined);

/** A register holding one value (nil at first): read and write. */
export const register: Model<Value> = {
  name: "register",
  summary: "one value (nil at first): read → value, write(v)",
  init: () => null,
  apply(state, op) {
    if (op.f === "read") return op.status === "info" || sameValue(op.output, state) ? state : undefined;
    return op.input;
  },
  hash: (s) => valueHash(s),
  equal: sameValue,
  describe: (s) => `the value was ${show(s)}`,
  readOnly: (op) => op.f === "read",
  writes: (op) => (op.f === "write" ? { value: op.input } : op.f === "cas" ? { value: pair(op.input)?.[1] ?? null } : undefined),
  observes: (op) => (op.f === "read" ? (op.status === "ok" ? [op.output ?? null] : []) : op.f === "cas" ? [pair(op.input)?.[0] ?? null] : []),
  validate: (op) => (op.f === "read" || op.f === "write" ? undefined : `register knows read and write, not ${op.f}`),
};

/** A register with compare-and-set, Jepsen's etcd model: a cas that did not match is a `fail`, so never here. */
export const casRegister: Model<Value> = {
  ...register,
  name: "cas-register",
  summary: "one value (nil at first): read → value, write(v), cas([expected, new]) (a cas that did not match is a fail)",
  apply(state, op) {
    if (op.f !== "cas") return register.apply!(state, op);
    const [from, to] = pair(op.input)!;
    return sameValue(state, from) ? to : undefined;
  },
  validate: (op) =>
    op.f === "cas" ? (pair(op.input) ? undefined : `cas takes [expected, new], not ${show(op.input)}`) : register.validate!(op)?.replace("read and write", "read, write and cas"),
};

/**
 * The state of a key-value store: each key's value (undefined when missing)
 * and its hash, by the key's number, and a hash of it all kept as it changes.
 * Arrays, not maps: a state is copied at every step of the search.
 */
export interface KvState {
  values: readonly (Value | undefined)[];
  hashes: readonly number[];
  hash: number;
}

const entryHash = (slot: number, valueHash: number) => Math.imul((slot + 1) ^ valueHash, 0x5bd1e995);
const emptyKv: KvState = { values: [], hashes: [], hash: 0 };

/** Numbers for keys, shared by every state of a model (keys are only ever added). */
class KeyNumbers {
  private readonly numbers = new Map<string, number>();
  readonly keys: string[] = [];
  of(key: string): number {
    let n = this.numbers.get(key);
    if (n === undefined) {
      n = this.keys.length;
      this.numbers.set(key, n);
      this.keys.push(key);
    }
    return n;
  }
}

/** The state with key number `slot` set to `value` (undefined: removed); `hash` is the value's hash when the caller knows it. */
function setKey(state: KvState, slot: number, value: Value | undefined, hash = value === undefined ? 0 : valueHash(value)): KvState {
  const old = state.values[slot];
  if (old === undefined ? value === undefined : value !== undefined && sameValue(old, value)) return state;
  const values = state.values.slice();
  const hashes = state.hashes.slice();
  let total = state.hash;
  if (old !== undefined) total = (total - entryHash(slot, state.hashes[slot]!)) | 0;
  values[slot] = value;
  hashes[slot] = hash;
  if (value !== undefined) total = (total + entryHash(slot, hash)) | 0;
  return { values, hashes, hash: total };
}

const kvEqual = (a: KvState, b: KvState): boolean => {
  if (a === b) return true;
  if (a.hash !== b.hash) return false;
  const length = Math.max(a.values.length, b.values.length);
  for (let i = 0; i < length; i++) {
    const x = a.values[i];
    const y = b.values[i];
    if (x === undefined ? y !== undefined : y === undefined || !sameValue(x, y)) return false;
  }
  return true;
};

const describeKv = (missing: string, numbers: KeyNumbers) => (s: KvState) => {
  const held = s.values.flatMap((v, i) => (v === undefined ? [] : [`${showKey(numbers.keys[i]!)} = ${show(v)}`]));
  return held.length === 0 ? `every key was ${missing}` : held.join(", ");
};
const showKey = (k: string) => (k.startsWith("\u0000") ? k.slice(1) : JSON.stringify(k));

/** A key as text, so "2" and 2 stay apart: strings as they are, anything else as JSON after a NUL. */
const keyOf = (op: Operation): string => (typeof op.key === "string" ? op.key : `\u0000${text(op.key)}`);
/** A key as the part's label shows it: JSON. */
const keyLabel = (op: Operation): string => text(op.key);

interface KeyValueSpec {
  name: string;
  summary: string;
  read: string;
  write: string;
  remove?: string;
  cas?: string;
  append?: string;
  missing: Value;
  missingText: string;
}

/** Keys to values, with the operations named as the spec says; a missing key reads as `missing`. */
function keyValueModel(spec: KeyValueSpec): Model<KvState> {
  const fs = [spec.read, spec.write, spec.remove, spec.cas, spec.append].filter((f): f is string => f !== undefined);
  const numbers = new KeyNumbers();
  const current = (s: KvState, key: number): Value => s.values[key] ?? spec.missing;
  const stored = (v: Value): Value | undefined => (sameValue(v, spec.missing) ? undefined : v);
  return {
    name: spec.name,
    summary: spec.summary,
    partModel: oneKeyModel(spec),
    init: () => emptyKv,
    apply(state, op) {
      const key = numbers.of(keyOf(op));
      switch (op.f) {
        case spec.read:
          return op.status === "info" || sameValue(op.output ?? null, current(state, key)) ? state : undefined;
        case spec.write:
          return setKey(state, key, stored(op.input));
        case spec.remove:
          return setKey(state, key, undefined);
        case spec.append: {
          const before = state.values[key];
          const suffix = String(op.input ?? "");
          if (typeof before !== "string") return setKey(state, key, stored(String(current(state, key) ?? "") + suffix));
          // FNV runs left to right: the longer string's hash continues from the shorter one's.
          return setKey(state, key, before + suffix, hashString(suffix, state.hashes[key]!));
        }
        case spec.cas: {
          const [from, to] = pair(op.input)!;
          return sameValue(current(state, key), from) ? setKey(state, key, stored(to)) : undefined;
        }
        default:
          return ;
      }
    },
    hash: (s) => s.hash >>> 0,
    equal: kvEqual,
    bytes: (s) => 64 + 16 * s.values.length,
    describe: describeKv(spec.missingText, numbers),
    partition: keyLabel,
    readOnly: (op) => op.f === spec.read,
    // Appends build on the value: no pruning for a model that has them.
    ...(spec.append
      ? {}
      : {
          writes: (op: Operation) => (op.f === spec.write ? { value: op.input } : op.f === spec.cas ? { value: pair(op.input)?.[1] ?? null } : undefined),
          observes: (op: Operation) =>
            op.f === spec.read ? (op.status === "ok" ? [op.output ?? null] : []) : op.f === spec.cas ? [pair(op.input)?.[0] ?? null] : [],
        }),
    validate(op) {
      if (!fs.includes(op.f)) return `${spec.name} knows ${fs.join(", ")}, not ${op.f}`;
      if (op.key === undefined) return `${op.f} has no key`;
      if (op.f === spec.cas && !pair(op.input)) return `${op.f} takes [expected, new], not ${show(op.input)}`;
      return undefined;
    },
  };
}

/** One key's value (undefined when missing) and its hash. */
interface Cell {
  value: Value | undefined;
  hash: number;
}

const missingCell: Cell = { value: undefined, hash: 0 };
const cellOf = (value: Value | undefined): Cell => (value === undefined ? missingCell : { value, hash: valueHash(value) });

/** A key-value model restricted to one key, for checking part by part: the state is one value, not a map. */
function oneKeyModel(spec: KeyValueSpec): Model<Cell> {
  const current = (c: Cell): Value => c.value ?? spec.missing;
  const stored = (v: Value): Value | undefined => (sameValue(v, spec.missing) ? undefined : v);
  return {
    name: spec.name,
    summary: spec.summary,
    init: () => missingCell,
    apply(cell, op) {
      switch (op.f) {
        case spec.read:
          return op.status === "info" || sameValue(op.output ?? null, current(cell)) ? cell : undefined;
        case spec.write:
          return cellOf(stored(op.input));
        case spec.remove:
          return missingCell;
        case spec.append: {
          const suffix = String(op.input ?? "");
          if (typeof cell.value !== "string") return cellOf(stored(String(current(cell) ?? "") + suffix));
          // FNV runs left to right: the longer string's hash continues from the shorter one's.
          return { value: cell.value + suffix, hash: hashString(suffix, cell.hash) };
        }
        case spec.cas: {
          const [from, to] = pair(op.input)!;
          return sameValue(current(cell), from) ? cellOf(stored(to)) : undefined;
        }
        default:
          return ;
      }
    },
    hash: (c) => c.hash >>> 0,
    equal: (a, b) => a === b || (a.hash === b.hash && (a.value === undefined ? b.value === undefined : b.value !== undefined && sameValue(a.value, b.value))),
    describe: (c) => (c.value === undefined ? `the key was ${spec.missingText}` : `the key held ${show(c.value)}`),
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
