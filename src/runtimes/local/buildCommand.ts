import { execa } from "execa";
import { RuntimeError } from "../../util/errors.js";

/** Runs clstr.yaml's `build:` in the challenge directory; a failure says so with the build's last output. */
export async function runBuildCommand(cwd: string, command: string): Promise<void> {
  const result = await execa("sh", ["-c", command], { cwd, all: true, reject: false, stdin: "ignore" });
  if (result.exitCode !== 0) {
    throw new RuntimeError(
      `The build command \`${command}\` failed with exit code ${result.exitCode ?? result.signal}; fix the build (its output is below) and run again.`,
      String(result.all ?? "").trimEnd().split("\n").slice(-40).join("\n"),
    );
  }
}
