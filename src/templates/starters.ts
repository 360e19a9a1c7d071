// Starter Maelstrom nodes `clstr init` writes for a Maelstrom challenge: per
// language, a node that starts, answers init and nothing else, around a small
// message loop the learner adds handlers to; copied as it is from maelstrom/<language>/.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sourcePath } from "../util/packageRoot.js";

export interface Starter {
  /** Path in the challenge directory → content. */
  files: Record<string, string>;
  /** The file a learner opens first. */
  entry: string;
  /** A command to run once before the first `clstr test`, if any. */
  setup?: string;
}

/** Per language key (after aliases): the entry file and the one-time set-up. `clstr init --help` names these languages. */
const STARTERS: Record<string, Omit<Starter, "files">> = {
  python: { entry: "node.py" },
  go: { entry: "main.go" },
  typescript: { entry: "src/node.ts", setup: "npm install" },
};

const starterRoot = join(sourcePath(fileURLToPath(new URL(".", import.meta.url))), "maelstrom");

/** The starter node for a language, or undefined where there is none. */
export function maelstromStarter(languageKey: string): Starter | undefined {
  const starter = STARTERS[languageKey];
  if (!starter) return undefined;
  const dir = join(starterRoot, languageKey);
  const files: Record<string, string> = {};
  for (const path of readdirSync(dir, { recursive: true, encoding: "utf8" }).sort()) {
    if (statSync(join(dir, path)).isFile()) files[path] = readFileSync(join(dir, path), "utf8");
  }
  return { files, ...starter };
}
