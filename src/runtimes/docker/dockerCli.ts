import { execa, type ResultPromise } from "execa";
import { RuntimeError } from "../../util/errors.js";

// The docker CLI, as the user has it configured: its context, DOCKER_HOST
// and credentials all apply, because we run their `docker`.

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `docker …`; never throws for a non-zero exit (see `docker()` for that).
 * Every docker process is in its own process group, so a Ctrl-C reaches only
 * clstr, which then removes the containers itself.
 */
export async function tryDocker(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<DockerResult> {
  const r = await execa("docker", args, {
    reject: false,
    cwd: opts.cwd,
    timeout: opts.timeoutMs,
    stdin: "ignore",
    detached: true,
    env: { DOCKER_CLI_HINTS: "false" },
  });
  if (r.exitCode === undefined && (r as { code?: string }).code === "ENOENT") throw notInstalled();
  return { code: r.exitCode ?? -1, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? "") };
}

/** Runs `docker …` and returns its stdout; a failure becomes a RuntimeError naming the command. */
export async function docker(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await tryDocker(args, opts);
  if (r.code !== 0) {
    throw new RuntimeError(`\`docker ${args.slice(0, 3).join(" ")} …\` failed: ${firstLine(r.stderr || r.stdout)}`, (r.stderr || r.stdout).trim());
  }
  return r.stdout.trim();
}

/** `docker …` running in the background (logs, wait), killed with the returned handle. */
export function dockerProcess(args: string[]): ResultPromise {
  return execa("docker", args, { reject: false, stdin: "ignore", buffer: false, detached: true, env: { DOCKER_CLI_HINTS: "false" } });
}

export function notInstalled(): RuntimeError {
  return new RuntimeError(
    "Docker is not installed here (no `docker` on PATH); install Docker (on Debian: `npm run docker:setup`), or use `--runtime local`.",
  );
}

/** Checks that the CLI is there and a daemon answers; one sentence with the fix when not. */
export async function checkDaemon(): Promise<{ serverVersion: string; kernel: string; os: string }> {
  const r = await tryDocker(["info", "--format", "{{json .}}"], { timeoutMs: 20_000 });
  if (r.code === 0) {
    try {
      const info = JSON.parse(r.stdout) as { ServerVersion?: string; KernelVersion?: string; OperatingSystem?: string; ServerErrors?: string[] };
      if (info.ServerVersion) return { serverVersion: info.ServerVersion, kernel: info.KernelVersion ?? "", os: info.OperatingSystem ?? "" };
    } catch {
      // fall through: no server part in the answer
    }
  }
  const why = firstLine(r.stderr || r.stdout);
  throw new RuntimeError(
    `The Docker daemon is not answering (${why || "no server information"}); start it (\`sudo systemctl start docker\`, Docker Desktop, or \`npm run docker:setup\` here), or use \`--runtime local\`.`,
  );
}

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? ""
  );
}
