// Which nodes a request goes to, and how many of them must pass.

export type NodeSelector =
  | { kind: "node"; name: string }
  | { kind: "all"; names: readonly string[] }
  | { kind: "exactlyOne"; names: readonly string[] }
  | { kind: "atLeastOne"; names: readonly string[] }
  | { kind: "except"; names: readonly string[] };

/** A single named node. */
export function Node(name: string): NodeSelector {
  return { kind: "node", name };
}

/** The nodes a selector sends requests to; `running` are the live nodes. */
export function resolveSelector(sel: NodeSelector, running: readonly string[]): string[] {
  switch (sel.kind) {
    case "node":
      return [sel.name];
    case "except":
      return running.filter((n) => !sel.names.includes(n));
    default:
      return sel.names.length > 0 ? [...sel.names] : [...running];
  }
}

export function selectorPassed(sel: NodeSelector, passed: number, total: number): boolean {
  switch (sel.kind) {
    case "exactlyOne":
      return passed === 1;
    case "atLeastOne":
      return passed >= 1;
    default:
      return passed === total;
  }
}

export function describeOutcome(sel: NodeSelector, passed: number, total: number): string {
  switch (sel.kind) {
    case "exactlyOne":
      return `${passed} of ${total} nodes passed (expected exactly 1)`;
    case "atLeastOne":
      return `${passed} of ${total} nodes passed (expected at least 1)`;
    default:
      return `${passed} of ${total} nodes passed (expected all ${total})`;
  }
}
