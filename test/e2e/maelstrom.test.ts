import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";
import { packageRoot } from "../../src/util/packageRoot.js";

// The Maelstrom engine from the command line, as a learner's scripts use it:
// nodes in Python (another language, run unchanged), the reference nodes,
// and broken variants that must be caught.
const CLI = join(packageRoot, "dist", "src", "cli", "main.js");
const PY = join(packageRoot, "test", "fixtures", "maelstrom", "python");
const GG = join(packageRoot, "solutions", "gossip-glomers", "dist");

async function maelstrom(...args: string[]) {
  const cwd = mkdtempSync(join(tmpdir(), "clstr-maelstrom-"));
  const r = await execa(process.execPath, [CLI, "maelstrom", "test", ...args], { cwd, reject: false, env: { NO_COLOR: "1" }, timeout: 120_000 });
  const results = (() => {
    try {
      return JSON.parse(readFileSync(join(cwd, "store", "latest", "results.json"), "utf8")) as Record<string, unknown> & { valid: unknown; problems: string[] };
    } catch {
      return undefined;
    }
  })();
  return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr), results, cwd };
}

describe("clstr maelstrom test", () => {
  it("passes Python nodes written for Maelstrom, unchanged: echo, unique ids under partitions, broadcast under partitions", async () => {
    const echo = await maelstrom("-w", "echo", "--bin", join(PY, "echo.py"), "--node-count", "1", "--time-limit", "2", "--rate", "20");
    assert.equal(echo.code, 0, echo.stdout + echo.stderr);
    assert.match(echo.stdout, /VALID: the history passed every check\./);
    assert.equal(echo.results?.valid, true);
    const ids = await maelstrom("-w", "unique-ids", "--bin", join(PY, "unique_ids.py"), "--node-count", "3", "--time-limit", "3", "--rate", "300", "--availability", "total", "--nemesis", "partition", "--nemesis-interval", "1");
    assert.equal(ids.code, 0, ids.stdout + ids.stderr);
    const bc = await maelstrom("-w", "broadcast", "--bin", join(PY, "broadcast.py"), "--node-count", "5", "--time-limit", "4", "--rate", "20", "--nemesis", "partition", "--nemesis-interval", "1", "--seed", "7");
    assert.equal(bc.code, 0, bc.stdout + bc.stderr);
    assert.equal((bc.results?.checker as { "lost-count": number })["lost-count"], 0);
  });

  it("stops at a node that prints garbage, naming the node and the line", async () => {
    const r = await maelstrom("-w", "echo", "--bin", join(PY, "garbage.py"), "--node-count", "1", "--time-limit", "2");
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /Node n0 printed a line on stdout that is not a Maelstrom message \(it is not JSON\); stdout is for messages only, write logs to stderr\./);
    assert.match(r.stdout, /Offending line: hello from my node/);
  });

  it("stops at a node that crashes or writes to a node that does not exist", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clstr-mnodes-"));
    const crash = join(dir, "crash.py");
    writeFileSync(crash, `import json, sys\nfor line in sys.stdin:\n    m = json.loads(line)\n    b = m["body"]\n    if b["type"] == "init":\n        print(json.dumps({"src": b["node_id"], "dest": m["src"], "body": {"type": "init_ok", "in_reply_to": b["msg_id"]}}), flush=True)\n    else:\n        sys.stderr.write("about to fall over\\n"); sys.stderr.flush(); sys.exit(3)\n`);
    const r = await maelstrom("-w", "echo", "--bin", "python3", crash, "--node-count", "1", "--time-limit", "2");
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /Node n0 exited on its own \(exit code 3\) while the test was running\./);
    assert.match(r.stdout, /about to fall over/);
    const stray = join(dir, "stray.py");
    writeFileSync(stray, `import json, sys\nfor line in sys.stdin:\n    m = json.loads(line)\n    b = m["body"]\n    if b["type"] == "init":\n        me = b["node_id"]\n        print(json.dumps({"src": me, "dest": m["src"], "body": {"type": "init_ok", "in_reply_to": b["msg_id"]}}), flush=True)\n    else:\n        print(json.dumps({"src": me, "dest": "n99", "body": {"type": "gossip"}}), flush=True)\n`);
    const s = await maelstrom("-w", "echo", "--bin", "python3", stray, "--node-count", "1", "--time-limit", "2");
    assert.equal(s.code, 1);
    assert.match(s.stdout, /Node n0 sent a message to "n99", which is not a node, client or service of this test/);
  });

  it("catches the broken variants: lost broadcasts under partitions, a counter that sees only its own adds, duplicate kafka offsets", async () => {
    const noRetry = await maelstrom("-w", "broadcast", "--bin", process.execPath, join(GG, "broken", "broadcast-no-retry.js"), "--node-count", "5", "--time-limit", "6", "--rate", "20", "--nemesis", "partition", "--nemesis-interval", "1", "--seed", "3");
    assert.equal(noRetry.code, 1, noRetry.stdout);
    assert.match(noRetry.stdout, /acknowledged broadcast value\(s\) are missing from final reads/);
    const own = await maelstrom("-w", "g-counter", "--bin", process.execPath, join(GG, "broken", "g-counter-own-only.js"), "--node-count", "3", "--time-limit", "3", "--rate", "50");
    assert.equal(own.code, 1, own.stdout);
    assert.match(own.stdout, /final read is \d+, but acknowledged adds sum to \d+/);
    const dup = await maelstrom("-w", "kafka", "--bin", process.execPath, join(GG, "broken", "kafka-duplicate-offsets.js"), "--node-count", "2", "--concurrency", "2n", "--time-limit", "3", "--rate", "200");
    assert.equal(dup.code, 1, dup.stdout);
    assert.match(dup.stdout, /duplicate offset\(s\)/);
  });

  it("says what is wrong with a flag in one sentence, and exits 254 as Maelstrom does", async () => {
    const r = await maelstrom("-w", "lin-kvv", "--bin", "true");
    assert.equal(r.code, 254);
    assert.equal(r.stderr.trim(), "clstr: -w lin-kvv: clstr's Maelstrom engine has the workloads echo, unique-ids, broadcast, g-set, g-counter, pn-counter, kafka, lin-kv, txn-rw-register, txn-list-append.");
    const c = await maelstrom("-w", "echo", "--bin", "true", "--concurrency", "lots");
    assert.equal(c.code, 254);
    assert.equal(c.stderr.trim(), "clstr: --concurrency is \"lots\"; give a number of clients (10) or a multiple of the node count (2n).");
    const a = await maelstrom("-w", "echo", "--bin", "true", "--availability", "most");
    assert.equal(a.stderr.trim(), "clstr: --availability is \"most\"; use total or a fraction from 0 to 1.");
    const missing = await maelstrom("-w", "echo");
    assert.equal(missing.code, 254);
    assert.match(missing.stderr, /required option '--bin <path>' not specified/);
  });

  it("refuses a --bin that cannot run and every numeric flag out of range before any node starts: exit 254, one sentence, no store/", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clstr-mbin-"));
    const script = join(dir, "node.py");
    writeFileSync(script, "import sys\n", { mode: 0o644 });
    const echo = ["-w", "echo", "--node-count", "1", "--time-limit", "1"];
    const cases: [string[], string | RegExp][] = [
      [[...echo, "--bin", "./missing"], /^clstr: --bin \.\/missing: there is no such file \(\/.*\/missing\); give the path to your node's executable\.$/],
      [[...echo, "--bin", script], `clstr: --bin ${script} is not executable; make it so with \`chmod +x ${script}\`, or name its interpreter first, e.g. --bin python3 ${script}.`],
      [[...echo, "--bin", dir], `clstr: --bin ${dir} is a directory; give the path to your node's executable inside it.`],
      [[...echo, "--bin", "no-such-node-xyz"], "clstr: --bin no-such-node-xyz: there is no program no-such-node-xyz on your PATH; give the path to your node, e.g. --bin ./no-such-node-xyz."],
      [["-w", "echo", "--bin", "true", "--time-limit", "0"], 'clstr: --time-limit is "0"; it must be a number above 0.'],
      [["-w", "echo", "--bin", "true", "--time-limit", ""], 'clstr: --time-limit is ""; it must be a number above 0.'],
      [["-w", "echo", "--bin", "true", "--rate", "0"], 'clstr: --rate is "0"; it must be a number above 0.'],
      [["-w", "echo", "--bin", "true", "--rate", "-3"], 'clstr: --rate is "-3"; it must be a number above 0.'],
      [["-w", "echo", "--bin", "true", "--node-count", "0"], 'clstr: --node-count is "0"; it must be an integer of at least 1.'],
      [["-w", "echo", "--bin", "true", "--node-count", "2.5"], 'clstr: --node-count is "2.5"; it must be an integer of at least 1.'],
      [["-w", "echo", "--bin", "true", "--concurrency", "0"], 'clstr: --concurrency is "0"; it must give at least one client (1, or 1n for one per node).'],
      [["-w", "echo", "--bin", "true", "--concurrency", "0n"], 'clstr: --concurrency is "0n"; it must give at least one client (1, or 1n for one per node).'],
      [["-w", "echo", "--bin", "true", "--latency", "-1"], 'clstr: --latency is "-1"; it must be a number of at least 0.'],
      [["-w", "echo", "--bin", "true", "--nemesis-interval", "0"], 'clstr: --nemesis-interval is "0"; it must be a number above 0.'],
      [["-w", "echo", "--bin", "true", "--test-count", "0"], 'clstr: --test-count is "0"; it must be an integer of at least 1.'],
      [["-w", "echo", "--bin", "true", "--seed", "1.5"], 'clstr: --seed is "1.5"; it must be an integer.'],
      [["-w", "echo", "--bin", "true", "--loss", "1"], "clstr: --loss is 1; it is the fraction of messages dropped and must be below 1."],
      [["-w", "echo", "--bin", "true", "--loss", "-0.1"], 'clstr: --loss is "-0.1"; it must be a number of at least 0.'],
      [["-w", "echo", "--bin", "true", "--availability", "1.5"], 'clstr: --availability is "1.5"; use total or a fraction from 0 to 1.'],
      [["-w", "echo", "--bin", "true", "--availability", ""], 'clstr: --availability is ""; use total or a fraction from 0 to 1.'],
    ];
    for (const [args, expected] of cases) {
      const r = await maelstrom(...args);
      const what = `${args.join(" ")}: ${r.stdout}${r.stderr}`;
      assert.equal(r.code, 254, what);
      if (typeof expected === "string") assert.equal(r.stderr.trim(), expected, what);
      else assert.match(r.stderr.trim(), expected, what);
      assert.equal(r.stdout, "", what);
      assert.ok(!existsSync(join(r.cwd, "store")), `${what}: wrote store/`);
    }
  });

  it("checks lin-kv histories for linearizability: a proxy to the lin-kv service passes, nodes with their own copies fail", async () => {
    const proxy = await maelstrom("-w", "lin-kv", "--bin", join(PY, "lin_kv_proxy.py"), "--node-count", "3", "--time-limit", "4", "--rate", "100", "--concurrency", "2n", "--latency", "5", "--nemesis", "partition", "--nemesis-interval", "1");
    assert.equal(proxy.code, 0, proxy.stdout + proxy.stderr);
    assert.ok((proxy.results?.checker as { "ops-checked": number })["ops-checked"] > 100);
    const local = await maelstrom("-w", "lin-kv", "--bin", join(PY, "lin_kv_local.py"), "--node-count", "3", "--time-limit", "3", "--rate", "100", "--concurrency", "2n", "--latency", "5");
    assert.equal(local.code, 1, local.stdout);
    assert.match(local.stdout, /key \d+ is not linearizable: no single order of its \d+ operations explains what clients saw\. .* cannot be placed: no order lets it take effect before it returned\./);
  });

  it("runs g-set and pn-counter under partitions and message loss, and catches a counter that ignores signs", async () => {
    const set = await maelstrom("-w", "g-set", "--bin", join(PY, "crdt.py"), "g-set", "--node-count", "3", "--time-limit", "4", "--rate", "50", "--nemesis", "partition", "--nemesis-interval", "1", "--loss", "0.2");
    assert.equal(set.code, 0, set.stdout + set.stderr);
    assert.ok((set.results?.checker as { "acknowledged-count": number })["acknowledged-count"] > 20);
    const pn = await maelstrom("-w", "pn-counter", "--bin", join(PY, "crdt.py"), "pn-counter", "--node-count", "3", "--time-limit", "4", "--rate", "50", "--nemesis", "partition", "--nemesis-interval", "1", "--loss", "0.2");
    assert.equal(pn.code, 0, pn.stdout + pn.stderr);
    const abs = await maelstrom("-w", "pn-counter", "--bin", join(PY, "crdt.py"), "pn-counter-abs", "--node-count", "3", "--time-limit", "3", "--rate", "50", "--seed", "5");
    assert.equal(abs.code, 1, abs.stdout);
    assert.match(abs.stdout, /final read is -?\d+, but acknowledged adds sum to -?\d+/);
  });

  it("checks --availability as a fraction of acknowledged requests", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clstr-mnodes-"));
    const flaky = join(dir, "flaky.py");
    // Answers every third echo with a definite error (11, temporarily unavailable).
    writeFileSync(flaky, `import json, sys\nn = 0\nfor line in sys.stdin:\n    m = json.loads(line)\n    b = m["body"]\n    if b["type"] == "init":\n        me = b["node_id"]\n        out = {"type": "init_ok"}\n    else:\n        n += 1\n        out = {"type": "error", "code": 11, "text": "busy"} if n % 3 == 0 else {"type": "echo_ok", "echo": b["echo"]}\n    out["in_reply_to"] = b["msg_id"]\n    print(json.dumps({"src": me, "dest": m["src"], "body": out}), flush=True)\n`);
    const loose = await maelstrom("-w", "echo", "--bin", "python3", flaky, "--node-count", "1", "--time-limit", "2", "--rate", "30", "--availability", "0.5");
    assert.equal(loose.code, 0, loose.stdout + loose.stderr);
    const strict = await maelstrom("-w", "echo", "--bin", "python3", flaky, "--node-count", "1", "--time-limit", "2", "--rate", "30", "--availability", "0.9");
    assert.equal(strict.code, 1, strict.stdout);
    assert.match(strict.stdout, /availability 0\.9: \d+ of \d+ requests were not acknowledged \(6\d\.\d% succeeded, 90\.0% must\), e\.g\. echo to n0: error 11/);
  });

  it("takes node names from --nodes, even names that start with c", async () => {
    const r = await maelstrom("-w", "broadcast", "--bin", join(PY, "broadcast.py"), "--nodes", "core1,core2,edge", "--time-limit", "2", "--rate", "20");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual((r.results?.options as { nodes: string[] }).nodes, ["core1", "core2", "edge"]);
    const bad = await maelstrom("-w", "echo", "--bin", "true", "--nodes", "n1,lin-kv");
    assert.equal(bad.code, 254);
    assert.match(bad.stderr, /--nodes has "lin-kv", the name of one of this run's clients or services/);
    const client = await maelstrom("-w", "echo", "--bin", "true", "--nodes", "n1,c2", "--concurrency", "2");
    assert.equal(client.code, 254);
    assert.match(client.stderr, /--nodes has "c2", the name of one of this run's clients or services \(c0, c1, c2, /);
  });

  it("has Maelstrom's defaults: nodes n1 to n5, one client per node; loss drops messages between nodes; --log-net-send prints them; --test-count repeats", async () => {
    const r = await maelstrom("-w", "broadcast", "--bin", join(PY, "broadcast.py"), "--time-limit", "2", "--rate", "20", "--loss", "0.3", "--log-net-send", "--test-count", "2");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const options = r.results?.options as { nodes: string[]; concurrency: number; lossRate: number };
    assert.deepEqual(options.nodes, ["n1", "n2", "n3", "n4", "n5"]);
    assert.equal(options.concurrency, 5);
    const servers = (r.results?.net as { servers: { "msg-count": number; "drop-count": number } }).servers;
    assert.ok(servers["drop-count"] > 0.15 * servers["msg-count"] && servers["drop-count"] < 0.45 * servers["msg-count"], JSON.stringify(servers));
    assert.match(r.stderr, /^:net-send \{"src":"n\d","dest":"n\d","body":\{"type":"gossip"/m);
    assert.equal(r.stdout.match(/VALID: the history passed every check\./g)?.length, 2);
    const lines = readFileSync(join(r.cwd, "store", "latest", "history.jsonl"), "utf8").trim().split("\n");
    assert.ok(lines.length > 20);
  });
});

describe("the gossip-glomers challenge", () => {
  function challenge(run: string, stage: string): string {
    const dir = mkdtempSync(join(tmpdir(), "clstr-gg-"));
    writeFileSync(join(dir, "clstr.yaml"), `challenge: gossip-glomers\nstage: ${stage}\nrun: ${run}\n`);
    return dir;
  }
  const clstrTest = async (dir: string, ...args: string[]) => {
    const r = await execa(process.execPath, [CLI, "test", ...args], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
    return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
  };

  it("runs a stage with its challenge page's parameters on the reference node, and `next` advances", async () => {
    const dir = challenge(`${process.execPath} ${join(GG, "main.js")}`, "echo");
    const r = await execa(process.execPath, [CLI, "next"], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
    assert.equal(r.exitCode, 0, String(r.stdout) + String(r.stderr));
    assert.match(String(r.stdout), /✓ The echo History Is Valid/);
    assert.match(String(r.stdout), /Advanced to unique-ids: Unique ID Generation/);
    assert.match(readFileSync(join(dir, "clstr.yaml"), "utf8"), /^stage: unique-ids$/m);
  });

  it("checks the thresholds: a flooding broadcast is correct but fails efficient-broadcast-1 on messages per operation", async () => {
    const dir = challenge(`${process.execPath} ${join(GG, "broken", "broadcast-flood.js")}`, "efficient-broadcast-1");
    const r = await clstrTest(dir, "--reporter", "json");
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as { stages: { tests: { name: string; status: string; failure?: string }[] }[] };
    const tests = report.stages[0]!.tests;
    assert.equal(tests.find((t) => t.name === "The broadcast History Is Valid")?.status, "passed");
    const mpo = tests.find((t) => t.name === "Messages per Operation Below 30")!;
    assert.equal(mpo.status, "failed");
    assert.match(mpo.failure!, /Measured: \d+\.\d+ server messages per operation/);
  });
});

describe("clstr init gossip-glomers", () => {
  it("writes a Maelstrom clstr.yaml (run: starts one node) and no Dockerfile", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clstr-init-"));
    const r = await execa(process.execPath, [CLI, "init", "gossip-glomers", "mine", "--language", "python"], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
    assert.equal(r.exitCode, 0, String(r.stderr));
    const yaml = readFileSync(join(dir, "mine", "clstr.yaml"), "utf8");
    assert.match(yaml, /^challenge: gossip-glomers$/m);
    assert.match(yaml, /^stage: echo$/m);
    assert.match(yaml, /^run: python3 node\.py$/m);
    assert.match(yaml, /reads messages on stdin and writes/);
    assert.throws(() => readFileSync(join(dir, "mine", "Dockerfile")));
  });
});
