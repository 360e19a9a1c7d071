// A small EDN reader: enough of Clojure's data notation to read the histories
// Jepsen writes. EDN values become the JSON-shaped Values histories carry:
// keywords and symbols become strings without the colon, nil becomes null,
// vectors, lists and sets become arrays, and maps become objects whose keys
// are strings. Reader tags (#inst, #uuid, #jepsen.history.Op{...}) are read
// as the form that follows them.

import { HistoryError, type Value } from "../history.js";

type Token =
  | { kind: "open"; text: "(" | "[" | "{" | "#{"; line: number }
  | { kind: "close"; text: ")" | "]" | "}"; line: number }
  | { kind: "atom"; value: Value; line: number }
  /** A prefix that changes the form after it: a tag (#inst), a discard (#_), metadata (^) or a quote ('). */
  | { kind: "prefix"; text: string; line: number }
  | { kind: "end"; line: number };

const CLOSER = { "(": ")", "[": "]", "{": "}", "#{": "}" } as const;
const COLLECTION = { "(": "list", "[": "vector", "{": "map", "#{": "set" } as const;
const NAMED_CHARS: Record<string, string> = { newline: "\n", space: " ", tab: "\t", return: "\r", backspace: "\b", formfeed: "\f" };
const STRING_ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" };
/** Deeper than any history value; stops a hostile file before it exhausts the stack. */
const MAX_DEPTH = 1000;

const isWhitespace = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\r" || c === ",";
/** Whitespace (space, tab, newline, return, comma) or a character that ends a word: ( ) [ ] { } " ; */
const isDelimiterCode = (c: number) =>
  c === 32 || c === 9 || c === 10 || c === 13 || c === 44 || c === 40 || c === 41 || c === 91 || c === 93 || c === 123 || c === 125 || c === 34 || c === 59;

/** Splits EDN text into tokens, counting lines as it goes. */
class Lexer {
  private pos = 0;

  constructor(
    private readonly text: string,
    public line: number,
  ) {}

  /** Where the lexer stands: the text not read yet. */
  rest(): string {
    return this.text.slice(this.pos);
  }

  next(): Token {
    this.skipBlank();
    const line = this.line;
    const c = this.text[this.pos];
    if (c === undefined) return { kind: "end", line };
    if (c === "(" || c === "[" || c === "{") {
      this.pos++;
      return { kind: "open", text: c, line };
    }
    if (c === ")" || c === "]" || c === "}") {
      this.pos++;
      return { kind: "close", text: c, line };
    }
    if (c === '"') return { kind: "atom", value: this.string(), line };
    if (c === "\\") return { kind: "atom", value: this.character(), line };
    if (c === "^" || c === "'") {
      this.pos++;
      return { kind: "prefix", text: c, line };
    }
    if (c === "#") return this.dispatch();
    return { kind: "atom", value: this.symbolic(this.word()), line };
  }

  private skipBlank(): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) return;
      if (c === "\n") this.line++;
      if (isWhitespace(c)) this.pos++;
      else if (c === ";") while (this.pos < this.text.length && this.text[this.pos] !== "\n") this.pos++;
      else return;
    }
  }

  /** A run of characters up to the next delimiter. */
  private word(): string {
    const start = this.pos;
    const text = this.text;
    while (this.pos < text.length && !isDelimiterCode(text.charCodeAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private string(): string {
    const line = this.line;
    this.pos++; // the opening quote
    // Most strings have no escape and no newline: one slice.
    const close = this.text.indexOf('"', this.pos);
    if (close !== -1) {
      const plain = this.text.slice(this.pos, close);
      if (!plain.includes("\\") && !plain.includes("\n")) {
        this.pos = close + 1;
        return plain;
      }
    }
    let out = "";
    for (;;) {
      const c = this.text[this.pos++];
      if (c === undefined) throw new HistoryError('this string is never closed (a " is missing)', line);
      if (c === '"') return out;
      if (c === "\n") this.line++;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.text[this.pos++];
      if (e === undefined) throw new HistoryError('this string is never closed (a " is missing)', line);
      if (e === "u") {
        const hex = this.text.slice(this.pos, this.pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new HistoryError(`"\\u${hex}" is not a unicode escape: write \\u and four hex digits`, this.line);
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 4;
      } else if (STRING_ESCAPES[e] !== undefined) out += STRING_ESCAPES[e];
      else throw new HistoryError(`"\\${e}" is not an escape EDN knows: use \\" \\\\ \\n \\t \\r or \\uXXXX`, this.line);
    }
  }

  /** \a, \newline, \u00e9: a character, read as a one-letter string. */
  private character(): string {
    this.pos++; // the backslash
    const first = this.text[this.pos++];
    if (first === undefined) throw new HistoryError("a \\ ends the text: a character literal needs a character after it", this.line);
    const name = first + this.word();
    if (name.length === 1) return name;
    if (NAMED_CHARS[name] !== undefined) return NAMED_CHARS[name];
    if (/^u[0-9a-fA-F]{4}$/.test(name)) return String.fromCharCode(parseInt(name.slice(1), 16));
    throw new HistoryError(`"\\${name}" is not a character EDN knows (\\a, \\newline, \\space, \\tab, \\u00e9)`, this.line);
  }

  /** Forms that start with #: sets, discards, tags, ##Inf and ##NaN. */
  private dispatch(): Token {
    const line = this.line;
    this.pos++; // the #
    const c = this.text[this.pos];
    if (c === "{") {
      this.pos++;
      return { kind: "open", text: "#{", line };
    }
    if (c === "_") {
      this.pos++;
      return { kind: "prefix", text: "#_", line };
    }
    if (c === '"') return { kind: "atom", value: this.string(), line }; // a regex, kept as its source
    if (c === "#") {
      this.pos++;
      const name = this.word();
      const special: Record<string, number> = { Inf: Infinity, "-Inf": -Infinity, NaN: NaN };
      if (special[name] === undefined) throw new HistoryError(`"##${name}" is not a value EDN knows (##Inf, ##-Inf, ##NaN)`, line);
      return { kind: "atom", value: special[name], line };
    }
    if (c === ":") {
      this.word(); // #:ns{...}, a map with a default namespace: read the map
      return { kind: "prefix", text: "#:", line };
    }
    const tag = this.word();
    if (tag === "") throw new HistoryError(`a "#" must start a set #{...}, a tag such as #inst or a discard #_, not "#${c ?? ""}"`, line);
    return { kind: "prefix", text: `#${tag}`, line };
  }

  /** nil, true, false, numbers, keywords and symbols. */
  private symbolic(word: string): Value {
    const first = word.charCodeAt(0);
    if (first === 58 && word.charCodeAt(1) !== 58 && word.length > 1) return word.slice(1); // :keyword, the common case
    if (word === "nil") return null;
    if (word === "true") return true;
    if (word === "false") return false;
    if (first >= 48 && first <= 57 && /^\d+$/.test(word)) return Number(word);
    if (/^[+-]?\d/.test(word)) return number(word, this.line);
    if (word.startsWith(":")) {
      const name = word.replace(/^::?/, "");
      if (name === "") throw new HistoryError(`"${word}" is not a keyword: write a name after the colon, e.g. :invoke`, this.line);
      return name;
    }
    return word; // a symbol, e.g. a record's class name
  }
}

function number(word: string, line: number): number {
  const text = word.replace(/^\+/, "");
  if (/^-?\d+N?$/.test(text)) return Number(text.replace(/N$/, ""));
  if (/^-?\d+(\.\d*)?([eE][+-]?\d+)?M?$/.test(text)) return Number(text.replace(/M$/, ""));
  if (/^-?0[xX][0-9a-fA-F]+N?$/.test(text)) return (text.startsWith("-") ? -1 : 1) * parseInt(text.replace(/^-?0[xX]|N$/g, ""), 16);
  const ratio = /^(-?\d+)\/(\d+)$/.exec(text);
  if (ratio && Number(ratio[2]) !== 0) return Number(ratio[1]) / Number(ratio[2]);
  throw new HistoryError(`"${word}" is not a number`, line);
}

/** What a token reads as in messages. */
function describe(token: Token): string {
  if (token.kind === "end") return "the end of the text";
  if (token.kind === "atom") return JSON.stringify(token.value);
  return `"${token.text}"`;
}

/** A map's key as an object key: keywords already are strings; other keys are written as JSON. */
function keyOf(key: Value): string {
  return typeof key === "string" ? key : JSON.stringify(key);
}

/** Turns tokens into values; remembers the line each map started on. */
class Parser {
  readonly mapLines = new WeakMap<object, number>();

  constructor(readonly lexer: Lexer) {}

  /** The next form, or undefined at the end of the text. */
  next(): { value: Value; line: number } | undefined {
    const token = this.token();
    if (token.kind === "end") return undefined;
    return { value: this.form(token, 0), line: token.line };
  }

  /** The next token, after dropping the forms #_ discards. */
  private token(depth = 0): Token {
    for (;;) {
      const token = this.lexer.next();
      if (token.kind !== "prefix" || token.text !== "#_") return token;
      this.required(token, depth);
    }
  }

  private form(token: Token, depth: number): Value {
    if (depth > MAX_DEPTH) throw new HistoryError(`values are nested more than ${MAX_DEPTH} deep`, token.line);
    switch (token.kind) {
      case "atom":
        return token.value;
      case "open":
        return this.collection(token, depth);
      case "close":
        throw new HistoryError(`"${token.text}" closes nothing: remove it, or add the "${opener(token.text)}" it closes`, token.line);
      case "prefix": {
        // A tag (#inst, #jepsen.history.Op), #:ns or a quote: the value is the form after it.
        // Metadata (^): the form after it is the metadata, and the value comes next.
        const target = this.required(token, depth);
        return token.text === "^" ? this.required(token, depth) : target;
      }
      case "end":
        throw new HistoryError("the text ends where a value was expected", token.line);
    }
  }

  /** The form after a prefix, which must be there. */
  private required(prefix: Extract<Token, { kind: "prefix" }>, depth: number): Value {
    const token = this.token(depth + 1);
    if (token.kind === "end" || token.kind === "close") throw new HistoryError(`"${prefix.text}" must be followed by a value, found ${describe(token)}`, prefix.line);
    return this.form(token, depth + 1);
  }

  private collection(open: Extract<Token, { kind: "open" }>, depth: number): Value {
    const items: Value[] = [];
    const what = COLLECTION[open.text];
    for (;;) {
      const token = this.token(depth + 1);
      if (token.kind === "end") throw new HistoryError(`the ${what} opened here with "${open.text}" is never closed (a "${CLOSER[open.text]}" is missing)`, open.line);
      if (token.kind === "close") {
        if (token.text !== CLOSER[open.text]) {
          throw new HistoryError(`"${token.text}" cannot close the ${what} opened on line ${open.line} with "${open.text}": a "${CLOSER[open.text]}" is missing`, token.line);
        }
        break;
      }
      items.push(this.form(token, depth + 1));
    }
    if (what !== "map") return items;
    if (items.length % 2 === 1) throw new HistoryError(`the map opened here has a key without a value (${items.length} forms in it)`, open.line);
    const map: { [key: string]: Value } = {};
    for (let i = 0; i < items.length; i += 2) {
      const key = keyOf(items[i]!);
      // defineProperty for __proto__, so that it is a key like any other.
      if (key === "__proto__") Object.defineProperty(map, key, { value: items[i + 1]!, enumerable: true, writable: true, configurable: true });
      else map[key] = items[i + 1]!;
    }
    this.mapLines.set(map, open.line);
    return map;
  }
}

function opener(close: ")" | "]" | "}"): string {
  return close === ")" ? "(" : close === "]" ? "[" : "{";
}

export interface EdnForms {
  /** The top-level forms, in order, with the line each starts on. */
  forms: { value: Value; line: number }[];
  /** The line a map (anywhere in the forms) was opened on. */
  lineOf(map: object): number | undefined;
}

/** Reads every form of an EDN text. Throws HistoryError, with the line, for text that is not EDN. */
export function readEdn(text: string, firstLine = 1): EdnForms {
  const parser = new Parser(new Lexer(text, firstLine));
  const forms: { value: Value; line: number }[] = [];
  for (let form = parser.next(); form !== undefined; form = parser.next()) forms.push(form);
  return { forms, lineOf: (map) => parser.mapLines.get(map) };
}

/** Reads the first form of a text and returns what follows it unread. */
export function readEdnPrefix(text: string, line: number): { value: Value; rest: string } {
  const lexer = new Lexer(text, line);
  const form = new Parser(lexer).next();
  if (form === undefined) throw new HistoryError("a value was expected here, found nothing", line);
  return { value: form.value, rest: lexer.rest() };
}
