// Both families of challenge through the commands a learner uses: init,
// status, test and next over the first three stages, against the reference
// solutions, checking what each command prints.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { challenges } from "../../src/challenges/registry.js";
import { isAvailable, type Challenge } from "../../src/challenges/types.js";
import { packageRoot } from "../../src/util/packageRoot.js";
import { clstr, SOLUTION_SERVER } from "./harness.js";

const GG_NODE = join(packageRoot, "solutions", "gossip-glomers", "dist", "main.js");

/** Points `run:` of the clstr.yaml `init` wrote at a reference solution, keeping the rest. */
function runReference(dir: string, command: string): void {
  const file = join(dir, "clstr.yaml");
  const yaml = readFileSync(file, "utf8").replace(/^build: .*$/m, "").replace(/^run: .*$/m, `run: ${command}`);
  writeFileSync(file, yaml);
}

/** `clstr status`'s progress lines, as "<mark> <key> <coming soon?>". */
function progress(stdout: string): string[] {
  return stdout
    .split("\n")
    .filter((l) => / - /.test(l) && /^[✓→ ] /.test(l))
    .map((l) => `${l[0]} ${l.slice(2).split(" ")[0]}${l.includes("(coming soon)") ? " (coming soon)" : ""}`);
}

/** What status must show when `done` stages are passed: ✓ before, → current, and only planned stages coming soon. */
function expectedProgress(challenge: Challenge, done: number): string[] {
  return challenge.stages.map((s, i) => `${i < done ? "✓" : i === done ? "→" : " "} ${s.key}${isAvailable(s) ? "" : " (coming soon)"}`);
}

async function walkFirstStages(challengeKey: string, language: string, reference: string): Promise<void> {
  const challenge = challenges.find((c) => c.key === challengeKey)!;
  const home = mkdtempSync(join(tmpdir(), "clstr-family-"));
  const init = await clstr(home, "init", challengeKey, "learner", "--language", language);
  assert.equal(init.code, 0, init.stdout + init.stderr);
  const dir = join(home, "learner");
  runReference(dir, reference);

  const fresh = await clstr(dir, "status");
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.deepEqual(progress(fresh.stdout), expectedProgress(challenge, 0));

  const first = challenge.stages[0]!;
  const test = await clstr(dir, "test");
  assert.equal(test.code, 0, test.stdout + test.stderr);
  assert.match(test.stdout, new RegExp(`Testing ${first.key}: ${first.name}`));
  assert.match(test.stdout, /PASSED ✓/);

  for (const [i, stage] of challenge.stages.slice(0, 3).entries()) {
    const next = await clstr(dir, "next");
    assert.equal(next.code, 0, `next at ${stage.key}:\n${next.stdout}${next.stderr}`);
    assert.match(next.stdout, new RegExp(`Testing ${stage.key}: `));
    const following = challenge.stages[i + 1]!;
    assert.match(next.stdout, new RegExp(`Advanced to ${following.key}: ${following.name}`));
    assert.match(readFileSync(join(dir, "clstr.yaml"), "utf8"), new RegExp(`^stage: ${following.key}$`, "m"));
  }

  const after = await clstr(dir, "status");
  assert.deepEqual(progress(after.stdout), expectedProgress(challenge, 3));
  assert.match(after.stdout, new RegExp(`clstr guide ${challenge.stages[3]!.key}`));
}

describe("both families through init, status, test and next", () => {
  it("kv-store: the reference server through http-api, persistence and crash-recovery", async () => {
    await walkFirstStages("kv-store", "typescript", `node ${SOLUTION_SERVER}`);
  });

  it("gossip-glomers: the reference node through echo, unique-ids and single-node-broadcast; no built stage is 'coming soon'", async () => {
    await walkFirstStages("gossip-glomers", "python", `${process.execPath} ${GG_NODE}`);
    const gossip = challenges.find((c) => c.key === "gossip-glomers")!;
    assert.equal(gossip.stages.filter(isAvailable).length, 14);
    assert.equal(gossip.stages.length, 14);
  });
});
