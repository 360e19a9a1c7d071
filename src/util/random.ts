import { randomInt } from "node:crypto";

// Seeded randomness, so that a run's random choices can be replayed: one seed
// for a run, and from it one independent stream per thing that chooses (a
// test, a client, a fault schedule), so that how many numbers one of them
// draws never shifts what another one gets.

/** A small seeded PRNG (mulberry32), so a run's random choices can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of a labelled stream of `seed`: the same seed and labels always give the same one, different labels unrelated ones. */
export function deriveSeed(seed: number, ...labels: readonly (string | number)[]): number {
  // FNV-1a over the seed and the labels, then a final avalanche (murmur3's fmix32).
  let h = 0x811c9dc5;
  for (const ch of [String(seed), ...labels.map(String)].join("\u0000")) {
    h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A fresh seed for a run that was given none: short enough to type back (1 to 9,999,999). */
export function randomSeed(): number {
  return randomInt(1, 10_000_000);
}

/** One of `items`, chosen by `random`. */
export function pick<T>(random: () => number, items: readonly T[]): T {
  if (items.length === 0) throw new Error("pick needs at least one item");
  return items[Math.floor(random() * items.length)]!;
}

/** A whole number from `min` to `max`, both included. */
export function between(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
