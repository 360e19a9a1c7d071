// Runs the compiled tests with Node's test runner: `unit`, `e2e`, or both.
// Tests are TypeScript in test/, compiled by `npm run build` into dist/test/.
//
// A skipped test is a failure: a suite that skips because this machine lacks
// Docker, iptables or a browser has not shown that anything works. The
// reasons are printed, with the command that makes the machine ready
// (`npm run setup:test`). `--allow-skips` (or CLSTR_ALLOW_SKIPS=1) lets a
// developer run what this machine can; under CI=true skips always fail.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);
const allowSkips = (args.includes("--allow-skips") || process.env.CLSTR_ALLOW_SKIPS === "1") && process.env.CI !== "true";
const which = args.find((a) => !a.startsWith("--")) ?? "all";
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

/** `ok N - name # SKIP reason` lines of a TAP report, as "name: reason". */
function skippedIn(tap) {
  const skipped = [];
  for (const line of tap.split("\n")) {
    const m = /^\s*ok \d+ - (.*?) # SKIP ?(.*)$/.exec(line);
    if (m) skipped.push(`${m[1]}: ${m[2] || "no reason given"}`);
  }
  return skipped;
}

const files = kinds.flatMap((k) => testFiles(join("dist", "test", k)));
if (files.length === 0) {
  console.error("No compiled tests found in dist/test: run `npm run build` first.");
  process.exit(1);
}
const scratch = mkdtempSync(join(tmpdir(), "clstr-tests-"));
const tapFile = join(scratch, "report.tap");
// E2E tests start clusters on this machine: run files one at a time.
const result = spawnSync(
  process.execPath,
  ["--test", "--test-concurrency=1",
    "--test-reporter=spec", "--test-reporter-destination=stdout",
    "--test-reporter=tap", `--test-reporter-destination=${tapFile}`,
    ...files],
  { stdio: "inherit" },
);
const skipped = skippedIn(readFileSync(tapFile, "utf8"));
rmSync(scratch, { recursive: true, force: true });

let code = result.status ?? 1;
if (skipped.length > 0) {
  const verdict = allowSkips ? "skipped (allowed by --allow-skips)" : "skipped, which counts as a failure";
  console.error(`\n${skipped.length} test${skipped.length === 1 ? "" : "s"} ${verdict}:`);
  for (const s of skipped) console.error(`  - ${s}`);
  if (!allowSkips) {
    console.error("Make this machine ready with `npm run setup:test` (as root), or pass --allow-skips to run only what it can.");
    code = code || 1;
  }
}
process.exit(code);
