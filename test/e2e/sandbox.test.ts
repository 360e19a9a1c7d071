import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { detectCapabilities } from "../../src/runtimes/sandbox/capabilities.js";
import { packageRoot } from "../../src/util/packageRoot.js";
import { challengeDir, clstr, clstrWithEnv, processesIn } from "./harness.js";

const caps = await detectCapabilities();
const skip = caps.sandbox.available ? false : `no network sandbox here: ${caps.sandbox.reason}`;

/**
 * Network namespaces held by processes that carry `mark` in their
 * environment (everything a run starts inherits it). Other runs on the
 * machine hold namespaces too; they do not count.
 */
function netNamespacesMarked(mark: string): string[] {
  const found = new Set<string>();
  for (const pid of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      if (!readFileSync(`/proc/${pid}/environ`, "utf8").includes(mark)) continue;
      found.add(readlinkSync(`/proc/${pid}/ns/net`));
    } catch {
      // gone
    }
  }
  return [...found];
}

describe("the network sandbox", { skip }, () => {
  it("gives each node its own address on 10.0.42.0/24", async () => {
    const dir = challengeDir({ run: `node ${join(packageRoot, "solutions", "kv-store", "dist", "server.js")}` });
    const r = await clstr(dir, "test");
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /runtime: local \(network sandbox/);
    assert.match(readFileSync(join(dir, ".clstr", "logs", "run.jsonl"), "utf8"), /Listening on 10\.0\.42\.101:8080/);
  });

  it("lets no node reach anything outside it, and leaves no namespace behind", async () => {
    // The test listens on every host address; the node must reach none of them.
    let reached = 0;
    const listener = createServer((s) => {
      reached++;
      s.destroy();
    });
    await new Promise<void>((r) => listener.listen(0, "0.0.0.0", r));
    const port = (listener.address() as AddressInfo).port;
    const hostAddresses = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === "IPv4")
      .map((a) => a!.address);
    const targets = [...hostAddresses.map((host) => ({ host, port })), { host: "192.0.2.1", port: 80 }];

    const mark = `CLSTR_TEST_MARK=${randomUUID()}`;
    const dir = challengeDir({ run: `node ${join(packageRoot, "test", "fixtures", "escape", "probe.mjs")}` });
    const r = await clstrWithEnv(dir, { PROBE_TARGETS: JSON.stringify(targets), CLSTR_TEST_MARK: mark.split("=")[1]! }, "test");
    listener.close();

    assert.match(r.stdout, /CLUSTER STARTUP|✗|✓/); // the run happened
    const log = readFileSync(join(dir, ".clstr", "logs", "run.jsonl"), "utf8");
    for (const t of targets) {
      const line = new RegExp(`probe ${t.host.replace(/\./g, "\\.")}:${t.port} -> (\\w+)`).exec(log);
      assert.ok(line, `no probe result for ${t.host}`);
      assert.notEqual(line[1], "CONNECTED", `the node reached ${t.host}:${t.port}`);
    }
    assert.equal(reached, 0, "the host listener must see no connection from the sandbox");
    assert.deepEqual(processesIn(dir), []);
    assert.deepEqual(netNamespacesMarked(mark), [], "network namespaces left behind");
  });
});
