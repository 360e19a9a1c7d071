// Layers point one way: a lower layer never imports a higher one. This test
// reads the import graph of src/ and fails on an import that climbs.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { packageRoot } from "../../src/util/packageRoot.js";

const SRC = join(packageRoot, "src");

/**
 * The layers of src/, lowest first. A folder may import its own layer and
 * those below it, never one above. Verdict types, errors and small helpers
 * sit at the bottom so that every layer can speak them.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["util", "types"],
  ["faults", "checkers", "logs", "templates"],
  ["runtimes"],
  ["attest", "maelstrom", "setup"],
  ["challenges"],
  ["config"],
  ["reports"],
  ["stages"],
  ["cli"],
];

function rankOf(folder: string): number {
  const rank = LAYERS.findIndex((layer) => layer.includes(folder));
  if (rank === -1) throw new Error(`src/${folder} is in no layer: add it to LAYERS in test/unit/layers.test.ts`);
  return rank;
}

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
        if (rankOf(to) > rankOf(from)) climbs.push(`${relative(SRC, file)} imports ${relative(SRC, target)} (${from} is below ${to})`);
      }
    }
    assert.deepEqual(climbs, []);
  });

  it("checks write plain text: colour is the pretty reporter's, so no check or checker imports picocolors", () => {
    const coloured = [...sourceFiles(join(SRC, "attest")), ...sourceFiles(join(SRC, "maelstrom", "checkers")), ...sourceFiles(join(SRC, "maelstrom", "workloads"))]
      .filter((file) => /from "picocolors"/.test(readFileSync(file, "utf8")))
      .map((file) => relative(SRC, file));
    assert.deepEqual(coloured, []);
  });

  it("every folder of src/ has a layer", () => {
    for (const entry of readdirSync(SRC)) if (statSync(join(SRC, entry)).isDirectory()) rankOf(entry);
  });
});
