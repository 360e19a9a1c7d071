// clstr as a learner gets it: `npm pack`, installed globally into a temporary
// prefix, then used from a directory that has nothing to do with this checkout.
import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import { execa } from "execa";
import { z } from "zod";
import { packageRoot } from "../../src/util/packageRoot.js";
import { copyFixture } from "./harness.js";

const MAX_TARBALL_BYTES = 1024 * 1024;

const PackResult = z.array(
  z.object({ filename: z.string(), size: z.number(), unpackedSize: z.number(), files: z.array(z.object({ path: z.string() })) }),
);

const pkg = z.object({ name: z.string(), version: z.string() }).parse(JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")));

/** Starter projects copied as they are by `clstr init`: their TypeScript is shipped as source, not compiled. */
const STARTERS = join("src", "templates", "maelstrom");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((p) => join(dir, p))
    .filter((p) => statSync(p).isFile());
}

/**
 * What the CLI reads at run time, as paths in the package: the compiled code of
 * every source file, and every other file under src/ (guides, overviews,
 * templates, the packet-queue helper, the report's assets) as it is.
 */
function filesTheCliNeeds(): string[] {
  return filesUnder(join(packageRoot, "src")).flatMap((abs) => {
    const path = relative(packageRoot, abs);
    if (path.endsWith(".d.ts")) return [];
    if (path.endsWith(".ts") && !path.startsWith(STARTERS + "/")) return [join("dist", path.replace(/\.ts$/, ".js"))];
    return [path];
  });
}

describe("clstr installed from its npm tarball", () => {
  const work = mkdtempSync(join(tmpdir(), "clstr-install-"));
  const prefix = join(work, "prefix");
  const bin = join(prefix, "bin", "clstr");
  let packed: z.infer<typeof PackResult>[number];

  /** Runs the installed clstr in `cwd`, with the default runtime (no CLSTR_NETWORK). */
  async function installed(cwd: string, ...args: string[]) {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" };
    delete env.CLSTR_NETWORK;
    const r = await execa(bin, args, { cwd, env, extendEnv: false, reject: false });
    return { code: r.exitCode ?? -1, out: `${r.stdout}\n${r.stderr}`, stdout: r.stdout };
  }

  before(async () => {
    const pack = await execa("npm", ["pack", "--json", "--pack-destination", work], { cwd: packageRoot });
    const result = PackResult.parse(JSON.parse(pack.stdout));
    assert.equal(result.length, 1, "npm pack made one tarball");
    packed = result[0]!;
    await execa("npm", ["install", "--global", "--prefix", prefix, "--prefer-offline", "--no-audit", "--no-fund", join(work, packed.filename)]);
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  it("packs every file the CLI reads at run time, nothing from tests or solutions, in under 1 MB", () => {
    const inTarball = new Set(packed.files.map((f) => f.path));
    const needed = new Set(filesTheCliNeeds());
    assert.deepEqual([...needed].filter((f) => !inTarball.has(f)), [], "files the CLI needs but the tarball lacks");
    // Compiled code without a source (a stale build of a deleted file) is harmless, so any dist/src/*.js may ship.
    const stray = [...inTarball].filter((f) => !needed.has(f) && !/^(package\.json|README\.md|LICENSE)$/.test(f) && !/^dist\/src\/.*\.js$/.test(f));
    assert.deepEqual(stray, [], "files in the tarball that are neither compiled code nor run-time assets");
    assert.ok(![...inTarball].some((f) => f.startsWith(`dist/${STARTERS}/`)), "starter projects ship as source only");
    const size = statSync(join(work, packed.filename)).size;
    assert.ok(size < MAX_TARBALL_BYTES, `tarball is ${size} bytes, over 1 MB`);
    assert.ok(packed.unpackedSize < 4 * MAX_TARBALL_BYTES, `unpacked ${packed.unpackedSize} bytes`);
  });

  it("is a copy in the prefix, not a link to this checkout", () => {
    const dir = join(prefix, "lib", "node_modules", pkg.name);
    assert.ok(existsSync(join(dir, "package.json")), `${dir} holds the package`);
    assert.ok(!lstatSync(dir).isSymbolicLink(), `${dir} is a copy`);
  });

  it("prints package.json's version for --version and -V", async () => {
    for (const flag of ["--version", "-V"]) {
      const r = await installed(work, flag);
      assert.equal(r.code, 0, r.out);
      assert.equal(r.stdout.trim(), pkg.version);
    }
  });

  it("inits kv-store for Python and passes http-api against a Python server, on the default runtime", async () => {
    const home = mkdtempSync(join(tmpdir(), "clstr-learner-"));
    const init = await installed(home, "init", "kv-store", "demo", "--language", "python");
    assert.equal(init.code, 0, init.out);
    const dir = join(home, "demo");
    assert.match(readFileSync(join(dir, "clstr.yaml"), "utf8"), /^run: python3 server\.py$/m);
    assert.match(readFileSync(join(dir, "Dockerfile"), "utf8"), /server\.py/);
    // The learner's server: the Python fixture other tests take through the stages.
    copyFixture("python-kv", dir);

    const guide = await installed(dir, "guide", "http-api");
    assert.equal(guide.code, 0, guide.out);
    assert.match(guide.stdout, /Store and Retrieve Data/);

    const test = await installed(dir, "test", "http-api");
    assert.equal(test.code, 0, test.out);
    assert.match(test.stdout, /PASSED ✓/);
    assert.match(test.stdout, /^runtime: local /m);
    rmSync(home, { recursive: true, force: true });
  });

  it("inits gossip-glomers for Python, whose starter node fails echo on the missing echo reply, writing the HTML report", async () => {
    const home = mkdtempSync(join(tmpdir(), "clstr-learner-"));
    const init = await installed(home, "init", "gossip-glomers", "gg", "--language", "python");
    assert.equal(init.code, 0, init.out);
    const dir = join(home, "gg");
    for (const f of ["node.py", "README.md", ".github/workflows/clstr.yml"]) assert.ok(existsSync(join(dir, f)), f);
    const test = await installed(dir, "test", "echo");
    assert.equal(test.code, 1, test.out);
    assert.match(test.stdout, /no echo request was answered/);
    assert.match(test.stdout, /Reply to each echo with \{"type": "echo_ok"/);
    assert.match(test.stdout, /FAILED ✗/);
    const reports = filesUnder(join(dir, ".clstr")).filter((f) => f.endsWith("report.html"));
    assert.equal(reports.length, 1, `one report.html under .clstr, found ${reports.join(", ")}`);
    assert.match(readFileSync(reports[0]!, "utf8"), /uPlot/);
    rmSync(home, { recursive: true, force: true });
  });
});
