import { execa, type ResultPromise } from "execa";
import { RuntimeError } from "../../util/errors.js";

// The docker CLI, as the user has it configured: its context, DOCKER_HOST
// and credentials all apply, because we run their `docker`.

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface DockerInfo {
  /** The engine's id: runs that see the same id share one engine. */
  id: string;
  serverVersion: string;
  kernel: string;
  os: string;
}

/**
 * Every docker process is in a process group of its own, so a Ctrl-C in the
 * terminal reaches only clstr, which then stops them and removes the
 * containers itself (the image build is cancelled at once); and the reaper
 * ends each group if clstr dies without doing so.
 */
function spawnOptions(groups: GroupWatcher) {
  return { stdin: "ignore", detached: true, env: { DOCKER_CLI_HINTS: "false", ...groups.env } } as const;
}

export interface GroupWatcher {
  watch(pgid: number): void;
  forget(pgid: number): void;
  /** Marks each docker process's environment (see ../local/reaper.ts). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The docker CLI for one run: counts each invocation (see timings.ts) and
 * keeps every process it started until it has ended. Once sealed it starts
 * no more, so that a run being torn down cannot create a container behind
 * its own cleanup.
 */
export class DockerCli {
  /** Commands that end by themselves (run, start, kill, exec, ...). */
  private readonly calls = new Set<ResultPromise>();
  /** Processes that follow something until killed or until it ends (logs --follow). */
  private readonly streams = new Set<ResultPromise>();
  private sealed = false;
  /** Kills what still runs if clstr exits without waiting (a second Ctrl-C), so that no docker process outlives it. */
  private readonly killOnExit = () => {
    for (const p of [...this.calls, ...this.streams]) p.kill("SIGKILL");
  };

  constructor(
    private readonly onCall: (args: readonly string[]) => void = () => {},
    /** Told of each docker process in a group of its own, so that a reaper can end it if clstr dies. */
    private readonly groups: GroupWatcher = { watch: () => {}, forget: () => {} },
  ) {}

  /** A CLI that shares this one's counting and watcher but not its processes or its seal (for the teardown). */
  sibling(): DockerCli {
    return new DockerCli(this.onCall, this.groups);
  }

  /** Runs `docker …`; never throws for a non-zero exit (see `run()` for that). */
  async try(args: string[], opts: { cwd?: string; cancel?: AbortSignal } = {}): Promise<DockerResult> {
    this.refuseWhenSealed(args);
    const p = execa("docker", args, { ...spawnOptions(this.groups), reject: false, cwd: opts.cwd, cancelSignal: opts.cancel });
    const r = await this.track(this.calls, args, p);
    if (r.exitCode === undefined && (r as { code?: string }).code === "ENOENT") throw notInstalled();
    return { code: r.exitCode ?? -1, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? "") };
  }

  /** Runs `docker …` and returns its stdout; a failure becomes a RuntimeError naming the command. */
  async run(args: string[], opts: { cwd?: string } = {}): Promise<string> {
    const r = await this.try(args, opts);
    if (r.code !== 0) {
      throw new RuntimeError(`\`docker ${args.slice(0, 3).join(" ")} …\` failed: ${firstLine(r.stderr || r.stdout)}`, (r.stderr || r.stdout).trim());
    }
    return r.stdout.trim();
  }

  /** `docker …` running in the background (logs --follow), its output streamed; resolves when it ends. */
  stream(args: string[]): ResultPromise {
    this.refuseWhenSealed(args);
    const p = execa("docker", args, { ...spawnOptions(this.groups), reject: false, buffer: false });
    void this.track(this.streams, args, p);
    return p;
  }

  /** Starts no more docker processes from now on. */
  seal(): void {
    this.sealed = true;
  }

  /** Waits until every command in flight has ended (streams go on). */
  async settle(): Promise<void> {
    while (this.calls.size > 0) await Promise.allSettled([...this.calls]);
  }

  /** Ends the streams still running with `signal` and waits until every process has ended. */
  async drain(signal: NodeJS.Signals): Promise<void> {
    while (this.calls.size + this.streams.size > 0) {
      for (const p of this.streams) p.kill(signal);
      await Promise.allSettled([...this.calls, ...this.streams]);
    }
  }

  private refuseWhenSealed(args: readonly string[]): void {
    if (this.sealed) throw new RuntimeError(`The run was stopped before \`docker ${args[0] ?? ""}\` could run.`);
  }

  private track<T extends ResultPromise>(set: Set<ResultPromise>, args: readonly string[], p: T): T {
    this.onCall(args);
    if (this.calls.size + this.streams.size === 0) process.on("exit", this.killOnExit);
    set.add(p);
    const group = p.pid;
    if (group !== undefined) this.groups.watch(group);
    const untrack = () => {
      set.delete(p);
      if (group !== undefined) this.groups.forget(group);
      if (this.calls.size + this.streams.size === 0) process.off("exit", this.killOnExit);
    };
    void p.finally(untrack).catch(() => {});
    return p;
  }
}

export function notInstalled(): RuntimeError {
  return new RuntimeError(
    "Docker is not installed here (no `docker` on PATH); install Docker (on Debian: `npm run docker:setup`), or use `--runtime local`.",
  );
}

/** Checks that the CLI is there and a daemon answers; one sentence with the fix when not. */
export async function checkDaemon(cli = new DockerCli()): Promise<DockerInfo> {
  const r = await cli.try(["info", "--format", "{{json .}}"], { cancel: AbortSignal.timeout(20_000) });
  if (r.code === 0) {
    try {
      const info = JSON.parse(r.stdout) as { ID?: string; ServerVersion?: string; KernelVersion?: string; OperatingSystem?: string };
      if (info.ServerVersion) return { id: info.ID ?? "", serverVersion: info.ServerVersion, kernel: info.KernelVersion ?? "", os: info.OperatingSystem ?? "" };
    } catch {
      // fall through: no server part in the answer
    }
  }
  const why = firstLine(r.stderr || r.stdout);
  throw new RuntimeError(
    `The Docker daemon is not answering (${why || "no server information"}); start it (\`sudo systemctl start docker\`, Docker Desktop, or \`npm run docker:setup\` here), or use \`--runtime local\`.`,
  );
}

export function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? ""
  );
}
