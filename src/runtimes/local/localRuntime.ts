import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { RuntimeError, type Runtime, type RuntimeEvents, type RuntimeNode } from "../runtime.js";
import { allocateLoopback } from "./loopbackAddresses.js";
import { NodeProcess } from "./nodeProcess.js";
import { Reaper } from "./reaperClient.js";

export interface LocalRuntimeOptions {
  /** The challenge directory: `run:` and `build:` run here. */
  cwd: string;
  run: string;
  build?: string | undefined;
  /** Where per-node data directories live (wiped when the runtime starts). */
  dataRoot: string;
  /** Marks every node's environment so strays can be found (CLSTR_RUN_ID). */
  runId: string;
}

/** The embedded runtime: each node is a process of this machine. */
export class LocalRuntime implements Runtime {
  readonly description = "local (processes on loopback addresses)";
  private readonly nodes: NodeProcess[] = [];
  private reaper: Reaper | undefined;
  private built = false;

  constructor(private readonly opts: LocalRuntimeOptions) {}

  async build(): Promise<void> {
    if (this.built || !this.opts.build) return;
    const result = await execa("sh", ["-c", this.opts.build], {
      cwd: this.opts.cwd,
      all: true,
      reject: false,
      stdin: "ignore",
    });
    if (result.exitCode !== 0) {
      throw new RuntimeError(
        `The build command \`${this.opts.build}\` failed with exit code ${result.exitCode ?? result.signal}; fix the build (its output is below) and run again.`,
        lastLines(result.all ?? "", 40),
      );
    }
    this.built = true;
  }

  async createNodes(names: readonly string[], events: RuntimeEvents): Promise<RuntimeNode[]> {
    this.reaper ??= new Reaper();
    const addresses = await allocateLoopback(names.length);
    rmSync(this.opts.dataRoot, { recursive: true, force: true });
    const created = names.map((name, i) => {
      const dataDir = join(this.opts.dataRoot, name);
      mkdirSync(dataDir, { recursive: true });
      return new NodeProcess({
        name,
        address: addresses[i]!,
        peers: addresses.filter((_, j) => j !== i),
        dataDir,
        command: this.opts.run,
        cwd: this.opts.cwd,
        env: { CLSTR_RUN_ID: this.opts.runId, CLSTR_NODE: name },
        reaper: this.reaper!,
        events,
      });
    });
    this.nodes.push(...created);
    return created;
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
    this.nodes.length = 0;
    this.reaper?.close();
    this.reaper = undefined;
  }
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split("\n").slice(-n).join("\n");
}
