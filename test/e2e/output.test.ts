// What a run prints survives a pipe, a reader that goes away ends the run
// quietly, and two runs in one directory never run at once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { execa } from "execa";
import { challengeDir, CLI, processesIn, SOLUTION_SERVER, startClstr, waitFor } from "./harness.js";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** A server that prints forty 30 KB lines and exits: its startup failure quotes the last of them, for a report of about 450 KB. */
const NOISY_CRASH = `node -e "for (let i = 0; i < 40; i++) console.log(String(i).padEnd(30000, 'x')); process.exitCode = 1"`;

/** Runs `clstr <args> | <reader>` in a shell, as a learner's terminal would. */
function piped(dir: string, args: string, reader: string) {
  return execa("sh", ["-c", `"${process.execPath}" "${CLI}" ${args} | ${reader}`], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
}

describe("output through a pipe", () => {
  it("a failing run's JSON report of over 300 KB arrives whole and parses", async () => {
    const dir = challengeDir({ run: NOISY_CRASH });
    const toFile = await execa("sh", ["-c", `"${process.execPath}" "${CLI}" test --reporter json > report.json`], { cwd: dir, reject: false });
    assert.equal(toFile.exitCode, 1, String(toFile.stderr));
    const whole = readFileSync(join(dir, "report.json"), "utf8");
    assert.ok(whole.length > 300_000, `the report is only ${whole.length} bytes`);

    const r = await piped(dir, "test --reporter json", `"${process.execPath}" -e 'let d = ""; process.stdin.on("data", (c) => (d += c)).on("end", () => console.log(d.length, JSON.parse(d).status))'`);
    // Another run: its durations differ, so compare sizes roughly.
    const [length, status] = r.stdout.trim().split(" ");
    assert.equal(status, "failed", String(r.stdout) + String(r.stderr));
    assert.ok(Math.abs(Number(length) - whole.length) < 100, `${length} bytes through the pipe, ${whole.length} to a file`);
  });

  it("clstr logs through a pipe prints what it prints to a file", async () => {
    const dir = challengeDir({ run: NOISY_CRASH });
    await execa(process.execPath, [CLI, "test"], { cwd: dir, reject: false });
    // The same environment both ways: under CI=true colours are on even for a file, and NO_COLOR turns them off.
    const toFile = await execa("sh", ["-c", `"${process.execPath}" "${CLI}" logs > logs.txt`], { cwd: dir, env: { NO_COLOR: "1" } });
    assert.equal(toFile.exitCode, 0);
    const size = readFileSync(join(dir, "logs.txt")).length;
    assert.ok(size > 300_000, `the logs are only ${size} bytes`);
    const r = await piped(dir, "logs", "wc -c");
    assert.equal(Number(r.stdout.trim()), size);
  });

  it("`clstr test | head -1` ends the run quietly: no stack trace, nothing left running", async () => {
    const dir = challengeDir({ run: `node ${SOLUTION_SERVER}`, stage: "crash-recovery" });
    const r = await execa("sh", ["-c", `"${process.execPath}" "${CLI}" test 2>stderr.txt | head -1`], { cwd: dir, reject: false });
    assert.equal(r.stdout, "Testing crash-recovery: Data Survives SIGKILL");
    const stderr = readFileSync(join(dir, "stderr.txt"), "utf8");
    assert.doesNotMatch(stderr, /EPIPE|Error|at /, stderr);
    await waitFor("the run to end", () => processesIn(dir).length === 0, 10_000);
  });
});

describe("two runs in one directory", () => {
  it("the second refuses at once, naming the first, and the first passes untouched", async () => {
    const dir = challengeDir({ run: `node ${SOLUTION_SERVER}`, stage: "persistence" });
    const first = startClstr(dir, "test");
    await waitFor("the first run's nodes", () => existsSync(join(dir, ".clstr", "data", "n1")), 20_000);
    const second = await execa(process.execPath, [CLI, "test"], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
    assert.equal(second.exitCode, 2, String(second.stdout) + String(second.stderr));
    assert.match(String(second.stderr), new RegExp(`Another clstr run is using this directory \\(.*\\), process ${first.pid}; wait for it to finish or stop it`));
    const done = await first;
    assert.equal(done.exitCode, 0, String(done.stdout));
    const third = await execa(process.execPath, [CLI, "test", "http-api"], { cwd: dir, reject: false });
    assert.equal(third.exitCode, 0, "the lock is free again once the first run has ended");
  });
});
