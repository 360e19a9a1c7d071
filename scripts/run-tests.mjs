// Runs the compiled tests with Node's test runner: `unit`, `e2e`, or both.
// Tests are TypeScript in test/, compiled by `npm run build` into dist/test/.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const which = process.argv[2] ?? "all";
const kinds = which === "all" ? ["unit", "e2e"] : [which];

function testFiles(dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(testFiles(path));
    else if (name.endsWith(".test.js")) out.push(path);
  }
  return out;
}

const files = kinds.flatMap((k) => testFiles(join("dist", "test", k)));
if (files.length === 0) {
  console.error("No compiled tests found in dist/test: run `npm run build` first.");
  process.exit(1);
}
// E2E tests start clusters on this machine's loopback: run files one at a time.
const result = spawnSync(process.execPath, ["--test", "--test-concurrency=1", ...files], { stdio: "inherit" });
process.exit(result.status ?? 1);
