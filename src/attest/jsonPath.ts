// Dotted paths into parsed JSON ("leader", "entries.0.term"), and the string
// form a matcher compares against: strings as themselves, numbers and booleans
// as their literal, objects and arrays as compact JSON.

export type JsonLookup = { found: true; value: unknown } | { found: false };

export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export function lookup(root: unknown, path: string): JsonLookup {
  let current: unknown = root;
  // A dot inside a key is written "\\." as in gjson: "peers.10\\.0\\.42\\.1".
  for (const segment of path.split(/(?<!\\)\./).map((part) => part.replace(/\\\./g, "."))) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) {
      const index = Number(segment);
      if (index >= current.length) return { found: false };
      current = current[index];
    } else if (current !== null && typeof current === "object" && Object.hasOwn(current, segment)) {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: current };
}

export function asText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** Pretty-prints JSON bodies, leaves anything else as it is. */
export function prettyBody(body: string, indent: string): string {
  const parsed = parseJson(body);
  if (!parsed.ok || parsed.value === null || typeof parsed.value !== "object") return body;
  return JSON.stringify(parsed.value, null, 2).replace(/\n/g, `\n${indent}`);
}
