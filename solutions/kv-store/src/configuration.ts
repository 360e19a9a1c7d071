// Cluster configurations (section 6 of the Raft paper, chapter 4 of the
// thesis): who votes, and what counts as a majority. Pure logic, no I/O.
//
// A configuration is a sorted set of voting members, by address. During a
// bulk change it is joint: C_old and C_new, and every decision needs a
// majority of each, counted separately. A node counts itself only in the
// halves it belongs to, so a leader that is being removed keeps leading
// without counting itself.
//
// In the log a configuration is a command:
//   {"op":"config","members":["10.0.42.101:8080", ...]}          simple
//   {"op":"config","old":[...],"new":[...]}                       joint
// and in a snapshot or InstallSnapshot the same fields sit next to
// last-included-index ("members", or "old" and "new").

export interface Configuration {
  /** The voting members; while joint, C_new. Sorted. Empty: a newcomer that knows no configuration. */
  readonly members: readonly string[];
  /** While joint, C_old (sorted); undefined otherwise. */
  readonly old?: readonly string[];
}

export type ConfigCommand = { op: 'config'; members: string[] } | { op: 'config'; old: string[]; new: string[] };

export const NO_CONFIGURATION: Configuration = { members: [] };

export function simple(members: Iterable<string>): Configuration {
  return { members: [...new Set(members)].sort() };
}

export function joint(old: readonly string[], next: readonly string[]): Configuration {
  return { old: [...old].sort(), members: [...next].sort() };
}

export function isJoint(c: Configuration): boolean {
  return c.old !== undefined;
}

/** Every member of either half: who votes and who the leader replicates to. */
export function voters(c: Configuration): string[] {
  return c.old === undefined ? [...c.members] : [...new Set([...c.old, ...c.members])].sort();
}

export function isVoter(c: Configuration, id: string): boolean {
  return c.members.includes(id) || (c.old?.includes(id) ?? false);
}

/** The halves that must each agree: one set, or C_old and C_new while joint. */
export function halves(c: Configuration): Array<readonly string[]> {
  return c.old === undefined ? [c.members] : [c.old, c.members];
}

/**
 * Whether the members for which `has` holds are a quorum of every half in
 * `sets`. An empty half is never a quorum (quorumOf(0) ≥ 1), so a node that
 * knows no configuration can decide nothing.
 */
export function hasQuorum(
  sets: ReadonlyArray<readonly string[]>,
  has: (id: string) => boolean,
  quorumOf: (size: number) => number,
): boolean {
  return sets.every((set) => set.filter(has).length >= Math.max(1, quorumOf(set.length)));
}

/**
 * The highest index that a quorum of every half in `sets` holds, given each
 * member's index (`indexOf`). Per half: sort descending, take the quorum-th.
 * The smallest over the halves, since every half must have it.
 */
export function quorumIndex(
  sets: ReadonlyArray<readonly string[]>,
  indexOf: (id: string) => number,
  quorumOf: (size: number) => number,
): number {
  let result = Infinity;
  for (const set of sets) {
    const sorted = set.map(indexOf).sort((a, b) => b - a);
    result = Math.min(result, sorted[Math.max(1, quorumOf(set.length)) - 1] ?? 0);
  }
  return result === Infinity ? 0 : result;
}

export function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((m, i) => m === b[i]);
}

export function sameConfiguration(a: Configuration, b: Configuration): boolean {
  return sameMembers(a.members, b.members) && (a.old === undefined) === (b.old === undefined) && sameMembers(a.old ?? [], b.old ?? []);
}

/** Members in `to` and not in `from`, and the other way round. */
export function diff(from: readonly string[], to: readonly string[]): { added: string[]; removed: string[] } {
  return { added: to.filter((m) => !from.includes(m)), removed: from.filter((m) => !to.includes(m)) };
}

export function toCommand(c: Configuration): ConfigCommand {
  return c.old === undefined ? { op: 'config', members: [...c.members] } : { op: 'config', old: [...c.old], new: [...c.members] };
}

export function fromCommand(cmd: ConfigCommand): Configuration {
  return 'members' in cmd ? simple(cmd.members) : joint(cmd.old, cmd.new);
}

/** The fields of a snapshot or InstallSnapshot that carry `c`: "members", or "old" and "new". */
export function toFields(c: Configuration): Record<string, string[]> {
  const { op: _op, ...fields } = toCommand(c);
  return fields;
}

/** Thrown for a list of members that is not one: the HTTP layer answers 400, decoding a message 400. */
export class BadMembers extends Error {}

/**
 * A valid list of members: an array of distinct `host:port` strings,
 * returned sorted. `allowEmpty` for the configuration of a node that knows
 * none; a change's target is never empty.
 */
export function parseMembers(value: unknown, field = 'members', allowEmpty = false): string[] {
  if (!Array.isArray(value)) throw new BadMembers(`"${field}" must be a list of host:port addresses`);
  if (value.length === 0 && !allowEmpty) throw new BadMembers(`"${field}" must not be empty`);
  for (const v of value) parseAddress(v, field);
  if (new Set(value).size !== value.length) throw new BadMembers(`"${field}" has duplicates`);
  return [...(value as string[])].sort();
}

/** One `host:port` address. */
export function parseAddress(value: unknown, field = 'id'): string {
  const m = typeof value === 'string' ? /^[^\s/,]+:(\d{1,5})$/.exec(value) : null;
  if (m === null || Number(m[1]) > 65535) throw new BadMembers(`"${field}" must be a host:port address`);
  return value as string;
}

/** The configuration in the fields of a snapshot or InstallSnapshot, if any. */
export function parseFields(m: Record<string, unknown>): Configuration | undefined {
  if (m['old'] !== undefined || m['new'] !== undefined) {
    return joint(parseMembers(m['old'], 'old'), parseMembers(m['new'], 'new'));
  }
  if (m['members'] !== undefined) return simple(parseMembers(m['members'], 'members', true));
  return undefined;
}
