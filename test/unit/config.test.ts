import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { UserError } from "../../src/util/errors.js";
import { loadConfig, saveStage } from "../../src/config/clstrYaml.js";

function dirWith(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), "clstr-config-"));
  writeFileSync(join(dir, "clstr.yaml"), yaml);
  return dir;
}

function rejects(yaml: string, pattern: RegExp): void {
  assert.throws(() => loadConfig(dirWith(yaml)), (err: unknown) => {
    assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
    assert.match(err.message, pattern);
    assert.doesNotMatch(err.message, /\n/);
    return true;
  });
}

describe("clstr.yaml", () => {
  it("accepts a valid file", () => {
    const c = loadConfig(dirWith("challenge: kv-store\nstage: persistence\nrun: ./server\nbuild: make\n"));
    assert.deepEqual(c, { challenge: "kv-store", stage: "persistence", run: "./server", build: "make" });
  });

  it("says when there is no clstr.yaml", () => {
    assert.throws(() => loadConfig(mkdtempSync(join(tmpdir(), "clstr-none-"))), /There is no clstr\.yaml here.*clstr init/);
  });

  it("rejects broken YAML with the line", () => rejects("challenge: kv-store\nstage: [http-api\n", /not valid YAML \(line \d+\)/));
  it("suggests the field a typo meant", () => rejects("challenge: kv-store\nstage: http-api\nrn: ./server\n", /unknown field `rn`; did you mean `run`\?/));
  it("names a missing field", () => rejects("challenge: kv-store\n", /`stage` must be a stage key/));
  it("rejects a non-string run", () => rejects("challenge: kv-store\nstage: http-api\nrun: 42\n", /`run` must be the shell command/));
  it("rejects an unknown challenge", () => rejects("challenge: kv-stor\nstage: http-api\n", /does not know; use one of: kv-store/));
  it("rejects an unknown stage", () => rejects("challenge: kv-store\nstage: raft\n", /does not have; use one of: http-api, persistence/));
  it("says an empty file is empty, with the fields to write", () => {
    rejects("", /^clstr\.yaml is empty; give at least the challenge and the stage, e\.g\. `challenge: kv-store` and `stage: http-api`, or start over with `clstr init/);
    rejects("\n   \n", /^clstr\.yaml is empty; /);
    rejects("# my kv store\n# stage: http-api\n", /^clstr\.yaml is empty \(it has only comments\); give at least the challenge and the stage/);
  });
  it("rejects a file that is not a mapping", () => rejects("- a\n- b\n", /must be a mapping/));

  it("saves the stage and keeps comments", () => {
    const dir = dirWith("# progress\nchallenge: kv-store\nstage: http-api # current\nrun: ./server\n");
    saveStage(dir, "persistence");
    const text = readFileSync(join(dir, "clstr.yaml"), "utf8");
    assert.match(text, /# progress/);
    assert.match(text, /stage: persistence/);
    assert.match(text, /run: \.\/server/);
  });
});
