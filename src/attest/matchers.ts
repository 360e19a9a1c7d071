// Matchers: small predicates with a description of what they expect.
// A failing check prints `expected()` next to what actually came back.

export interface Matcher<T> {
  readonly kind: string;
  check(actual: T): boolean;
  expected(): string;
}

function describe(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** Literal types widened, so Is(200) matches any number. */
type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T;

export function Is<T extends string | number | boolean>(value: T): Matcher<Widen<T>> {
  return {
    kind: "is",
    // A JSON field reaches matchers as text: Is(true) matches `true`, Is(3) matches `3`.
    check: (actual) => actual === value || (typeof value !== "string" && typeof actual === "string" && actual === String(value)),
    // Bare values read better for status codes ("Expected status: 400").
    expected: () => (typeof value === "string" ? describe(value) : String(value)),
  };
}

export function Matches(pattern: string | RegExp): Matcher<string> {
  const re = typeof pattern === "string" ? new RegExp(pattern) : pattern;
  const shown = re.source.replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
  return {
    kind: "matches",
    check: (actual) => re.test(actual),
    expected: () => `matching pattern /${shown}/`,
  };
}

export function Contains(substring: string): Matcher<string> {
  return {
    kind: "contains",
    check: (actual) => actual.includes(substring),
    expected: () => `containing ${JSON.stringify(substring)}`,
  };
}

export function OneOf<T extends string | number>(...values: T[]): Matcher<Widen<T>> {
  return {
    kind: "oneOf",
    check: (actual) => (values as unknown[]).includes(actual),
    expected: () => {
      const shown = values.map(describe);
      if (shown.length <= 4) return `one of [${shown.join(", ")}]`;
      return `one of [${shown.slice(0, 3).join(", ")}, ... and ${shown.length - 3} more]`;
    },
  };
}

export function GreaterThan(value: number): Matcher<number | string> {
  return {
    kind: "greaterThan",
    check: (actual) => Number(actual) > value,
    expected: () => `> ${value}`,
  };
}

export function LessThan(value: number): Matcher<number | string> {
  return {
    kind: "lessThan",
    check: (actual) => Number(actual) < value,
    expected: () => `< ${value}`,
  };
}

/** Matches a JSON null or an absent field (only meaningful with `.json(path, ...)`). */
export function IsNull(): Matcher<unknown> {
  return {
    kind: "isNull",
    check: (actual) => actual === null || actual === undefined,
    expected: () => "null",
  };
}

/** Length of a string, an array, or the number of keys of an object. */
export function HasLen(length: number): Matcher<unknown> {
  return {
    kind: "hasLen",
    check: (actual) => lengthOf(actual) === length,
    expected: () => `length ${length}`,
  };
}

export function Not<T>(matcher: Matcher<T>): Matcher<T> {
  return {
    kind: "not",
    check: (actual) => !matcher.check(actual),
    expected: () => `not ${matcher.expected()}`,
  };
}

function lengthOf(value: unknown): number | undefined {
  if (typeof value === "string" || Array.isArray(value)) return value.length;
  if (value !== null && typeof value === "object") return Object.keys(value).length;
  return undefined;
}

/** Returns the first matcher that rejects `actual`, or undefined when all pass. */
export function firstFailing<T>(actual: T, matchers: readonly Matcher<T>[]): Matcher<T> | undefined {
  return matchers.find((m) => !m.check(actual));
}
