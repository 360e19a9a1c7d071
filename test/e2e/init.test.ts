// What `clstr init` writes for a newcomer: a CI workflow in every challenge
// directory, and for gossip-glomers a README on Maelstrom nodes and a starter
// node that starts and answers init, so that the first stage fails on the
// missing echo reply, with the hint, and passes once the node answers echo.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { z } from "zod";
import { packageRoot } from "../../src/util/packageRoot.js";
import { clstr } from "./harness.js";

const Workflow = z.object({
  on: z.array(z.string()),
  jobs: z.object({
    test: z.object({
      "runs-on": z.string(),
      steps: z.array(z.object({ name: z.string(), uses: z.string().optional(), run: z.string().optional(), with: z.record(z.string(), z.string()).optional() })),
    }),
  }),
});

const packageName = z.object({ name: z.string() }).parse(JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8"))).name;

/** The workflow `clstr init` wrote in `dir`, validated. */
function workflowIn(dir: string): z.infer<typeof Workflow> {
  return Workflow.parse(parse(readFileSync(join(dir, ".github", "workflows", "clstr.yml"), "utf8")));
}

/** Index of the first step matching, failing the test when there is none. */
function stepIndex(workflow: z.infer<typeof Workflow>, what: string, match: (s: { uses?: string; run?: string }) => boolean): number {
  const i = workflow.jobs.test.steps.findIndex(match);
  assert.notEqual(i, -1, `no step ${what} in ${JSON.stringify(workflow.jobs.test.steps)}`);
  return i;
}

/** The workflow installs clstr, sets the machine up, then tests every stage so far, on push and pull_request. */
function assertRunsClstr(workflow: z.infer<typeof Workflow>, languageAction: string): void {
  assert.deepEqual([...workflow.on].sort(), ["pull_request", "push"]);
  const steps = workflow.jobs.test.steps;
  const node = stepIndex(workflow, "setting up Node 20", (s) => s.uses?.startsWith("actions/setup-node@") === true);
  assert.equal(steps[node]!.with?.["node-version"], "20");
  const install = stepIndex(workflow, "installing clstr", (s) => s.run === `npm install -g ${packageName}`);
  const doctor = stepIndex(workflow, "running clstr doctor --fix as root", (s) => /^sudo\b.*\bclstr doctor --fix$/.test(s.run ?? ""));
  const language = stepIndex(workflow, `using ${languageAction}`, (s) => s.uses?.startsWith(`${languageAction}@`) === true);
  const test = stepIndex(workflow, "running clstr test --so-far", (s) => s.run === "clstr test --so-far");
  assert.ok(node < install && install < doctor && doctor < test && language < test, `steps out of order: ${steps.map((s) => s.name).join(", ")}`);
  assert.equal(test, steps.length - 1, "clstr test --so-far is the last step");
}

describe("clstr init gossip-glomers --language python", () => {
  const root = mkdtempSync(join(tmpdir(), "clstr-init-"));
  const dir = join(root, "gg");

  it("writes a README on Maelstrom nodes, a starter node that run: starts, and the CI workflow", async () => {
    const r = await clstr(root, "init", "gossip-glomers", "gg", "--language", "python");
    assert.equal(r.code, 0, r.stderr);
    for (const f of ["README.md", "clstr.yaml", ".gitignore", ".github/workflows/clstr.yml", "node.py"]) {
      assert.match(r.stdout, new RegExp(`^  ${f.replace(/\./g, "\\.")} +- `, "m"), `init lists ${f}`);
      assert.ok(existsSync(join(dir, f)), f);
    }
    assert.ok(!existsSync(join(dir, "Dockerfile")));
    assert.match(readFileSync(join(dir, "clstr.yaml"), "utf8"), /^run: python3 node\.py$/m);
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    for (const needle of ["stdin", "stdout", "`init`", "`init_ok`", "`in_reply_to`", "`node.py`", "`clstr guide echo`", "`clstr test`"]) {
      assert.ok(readme.includes(needle), `README mentions ${needle}`);
    }
    assertRunsClstr(workflowIn(dir), "actions/setup-python");
  });

  it("fails echo with the starter node as written: it starts and answers init, and no echo is answered", async () => {
    const r = await clstr(dir, "test", "echo");
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /✓ Nodes Speak the Maelstrom Protocol/);
    assert.match(r.stdout, /✗ The echo History Is Valid/);
    assert.match(r.stdout, /no echo request was answered/);
    assert.match(r.stdout, /Reply to each echo with \{"type": "echo_ok", "echo": <the same value>, "in_reply_to": <its msg_id>\}/);
    assert.match(r.stdout, /FAILED ✗/);
    const log = readFileSync(join(dir, ".clstr", "maelstrom", "echo", "n0.log"), "utf8");
    assert.match(log, /no handler for 'echo', so no reply/);
  });

  it("passes echo once the starter node has a handler for echo", async () => {
    const node = join(dir, "node.py");
    const starter = readFileSync(node, "utf8");
    const handlers = 'HANDLERS = {\n    "init": handle_init,\n}';
    assert.ok(starter.includes(handlers), "the starter keeps one handler per message type in HANDLERS");
    const echo = 'def handle_echo(msg):\n    reply(msg, {"type": "echo_ok", "echo": msg["body"]["echo"]})\n\n\n';
    writeFileSync(node, starter.replace(handlers, `${echo}HANDLERS = {\n    "init": handle_init,\n    "echo": handle_echo,\n}`));
    const r = await clstr(dir, "test", "echo");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /✓ The echo History Is Valid/);
    assert.match(r.stdout, /PASSED ✓/);
  });
});

describe("clstr init writes the CI workflow for every challenge", () => {
  it("kv-store in Python", async () => {
    const root = mkdtempSync(join(tmpdir(), "clstr-init-"));
    const r = await clstr(root, "init", "kv-store", "kv", "--language", "python");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ {2}\.github\/workflows\/clstr\.yml +- /m);
    assertRunsClstr(workflowIn(join(root, "kv")), "actions/setup-python");
    assert.match(readFileSync(join(root, "kv", "README.md"), "utf8"), /\.github\/workflows\/clstr\.yml/);
  });

  it("gossip-glomers in Go, with the Go starter and actions/setup-go", async () => {
    const root = mkdtempSync(join(tmpdir(), "clstr-init-"));
    const r = await clstr(root, "init", "gossip-glomers", "gg", "--language", "go");
    assert.equal(r.code, 0, r.stderr);
    assertRunsClstr(workflowIn(join(root, "gg")), "actions/setup-go");
    assert.match(readFileSync(join(root, "gg", "clstr.yaml"), "utf8"), /^build: go build -o node \.\nrun: \.\/node$/m);
    const node = readFileSync(join(root, "gg", "main.go"), "utf8");
    assert.match(node, /"init_ok"/);
    assert.doesNotMatch(node, /"echo_ok"/, "the starter answers init only: echo is the learner's first step");
    assert.ok(existsSync(join(root, "gg", "go.mod")));
    assert.match(readFileSync(join(root, "gg", ".gitignore"), "utf8"), /^node$/m);
  });

  it("gossip-glomers in a language with no starter says so and writes no node", async () => {
    const root = mkdtempSync(join(tmpdir(), "clstr-init-"));
    const r = await clstr(root, "init", "gossip-glomers", "gg", "--language", "rust");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /No starter node for rust: write one that answers init and echo/);
    assert.ok(existsSync(join(root, "gg", ".github", "workflows", "clstr.yml")));
    assert.match(readFileSync(join(root, "gg", "README.md"), "utf8"), /There is no starter node for rust/);
  });
});
