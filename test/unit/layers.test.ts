// Layers point one way: a lower layer never imports a higher one. This test
// reads the import graph of src/ and fails on an import that climbs.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { packageRoot } from "../../src/util/packageRoot.js";

const SRC = join(packageRoot, "src");

/** For each top-level folder of src/, the folders it must never import. */
const forbidden: Record<string, readonly string[]> = {
  util: ["attest", "challenges", "checkers", "cli", "config", "faults", "logs", "maelstrom", "reports", "runtimes", "templates"],
  config: ["attest", "cli", "maelstrom", "reports", "runtimes"],
  faults: ["attest", "challenges", "cli", "config", "maelstrom", "reports", "runtimes"],
  checkers: ["attest", "challenges", "cli", "config", "maelstrom", "reports", "runtimes"],
  logs: ["attest", "challenges", "cli", "maelstrom", "reports", "runtimes"],
  runtimes: ["attest", "challenges", "cli", "maelstrom", "reports"],
  attest: ["cli", "reports"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The src/ folder a file belongs to: src/faults/x.ts → "faults". */
function layerOf(path: string): string {
  return relative(SRC, path).split("/")[0]!;
}

/** Relative imports of a file, resolved to absolute paths of .ts sources. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/g), ...text.matchAll(/import\("(\.[^"]+)"\)/g)];
  return specifiers.map((m) => resolve(dirname(file), m[1]!.replace(/\.js$/, ".ts")));
}

describe("layers", () => {
  it("finds the imports it checks (the reader is not blind)", () => {
    const runtimeImports = importsOf(join(SRC, "runtimes", "local", "localRuntime.ts")).map(layerOf);
    assert.ok(runtimeImports.includes("faults"), `expected localRuntime.ts to import from faults/, read ${runtimeImports.join(", ")}`);
  });

  it("no lower layer imports a higher one", () => {
    const climbs: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const from = layerOf(file);
      for (const target of importsOf(file)) {
        const to = layerOf(target);
        if (forbidden[from]?.includes(to)) climbs.push(`${relative(SRC, file)} imports ${relative(SRC, target)} (${from} must not import ${to})`);
      }
    }
    assert.deepEqual(climbs, []);
  });
});
