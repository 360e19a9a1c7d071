import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { challengeDir, processesIn, SOLUTION_SERVER, startClstr, waitFor } from "./harness.js";

// The run command starts the server as a grandchild (a shell that waits for
// it), so these tests also prove that the whole process group goes away.
const RUN = `node ${SOLUTION_SERVER} & wait`;

function clusterReady(dir: string): boolean {
  const log = join(dir, ".clstr", "logs", "run.jsonl");
  return existsSync(log) && readFileSync(log, "utf8").includes('"event":"TEST: ');
}

/**
 * Starts `clstr test` and returns once its first test has begun. The run is
 * wrapped: awaiting an execa process directly would wait for it to end.
 */
async function startUntilFirstTest(dir: string) {
  const run = startClstr(dir, "test");
  await waitFor("the first test to start", () => clusterReady(dir), 20_000).catch((err) => {
    run.kill("SIGKILL");
    throw err;
  });
  return { run };
}

describe("nothing outlives a run", () => {
  it("after a pass", async () => {
    const dir = challengeDir({ run: RUN });
    const run = await startClstr(dir, "test");
    assert.equal(run.exitCode, 0, String(run.stdout));
    assert.deepEqual(processesIn(dir), []);
  });

  it("after Ctrl-C in the middle of a stage", async () => {
    const dir = challengeDir({ run: RUN, stage: "crash-recovery" });
    const { run } = await startUntilFirstTest(dir);
    assert.ok(processesIn(dir).length >= 2, "the node (shell and server) should be running");
    run.kill("SIGINT");
    const result = await run;
    assert.equal(result.exitCode, 130, `${String(result.stdout)}${String(result.stderr)}`);
    assert.match(String(result.stdout), /Interrupted/);
    assert.deepEqual(processesIn(dir), []);
  });

  it("after the harness itself is killed (SIGKILL)", async () => {
    const dir = challengeDir({ run: RUN, stage: "crash-recovery" });
    const { run } = await startUntilFirstTest(dir);
    run.kill("SIGKILL");
    await run;
    // The reaper notices the harness is gone and kills the node's group.
    await waitFor("the node processes to go away", () => processesIn(dir).length === 0, 5_000);
  });
});
