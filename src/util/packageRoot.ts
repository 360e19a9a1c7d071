import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The folder holding clstr's package.json (compiled code lives in dist/). */
export const packageRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("clstr: cannot find its own package.json");
    dir = parent;
  }
  return dir;
})();

/**
 * Maps a folder of compiled code (dist/src/x) to its source folder (src/x),
 * where non-code files such as guides and templates live.
 */
export function sourcePath(compiledDir: string): string {
  const rel = relative(join(packageRoot, "dist"), compiledDir);
  return rel.startsWith("..") ? compiledDir : join(packageRoot, rel);
}
