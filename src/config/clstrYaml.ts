import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { challenges, findChallenge, findStage } from "../challenges/registry.js";
import { UserError } from "../util/errors.js";

export const CONFIG_FILE = "clstr.yaml";

const ClstrYaml = z
  .object({
    challenge: z.string({ error: "must be the challenge key, e.g. kv-store" }).min(1),
    stage: z.string({ error: "must be a stage key, e.g. http-api" }).min(1),
    run: z.string({ error: "must be the shell command that starts one node" }).min(1).optional(),
    build: z.string({ error: "must be a shell command" }).min(1).optional(),
    runtime: z.enum(["local", "docker"], { error: "must be `local` (processes on this machine) or `docker` (containers built from your Dockerfile)" }).optional(),
  })
  .strict();

export type ClstrConfig = z.infer<typeof ClstrYaml>;

const FIELDS = ["challenge", "stage", "run", "build", "runtime"];

/** Reads and validates clstr.yaml in `dir`; every problem is one sentence with the fix. */
export function loadConfig(dir: string): ClstrConfig {
  const path = join(dir, CONFIG_FILE);
  if (!existsSync(path)) {
    throw new UserError(
      `There is no ${CONFIG_FILE} here (${dir}); run this command in a challenge directory, or create one with \`clstr init <challenge> --language <lang>\`.`,
    );
  }
  const text = readFileSync(path, "utf8");
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0].line;
    throw new UserError(
      `${CONFIG_FILE} is not valid YAML${line ? ` (line ${line})` : ""}: ${e.message.split("\n")[0]}; fix the syntax, e.g. \`stage: http-api\`.`,
    );
  }
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) {
    throw new UserError(
      `${CONFIG_FILE} is empty${/^\s*#/m.test(text) ? " (it has only comments)" : ""}; give at least the challenge and the stage, e.g. \`challenge: kv-store\` and \`stage: http-api\`, or start over with \`clstr init <challenge> --language <lang>\`.`,
    );
  }
  const parsed = ClstrYaml.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === "unrecognized_keys") {
      const key = issue.keys[0]!;
      const guess = FIELDS.find((f) => editDistance(f, key) <= 2);
      throw new UserError(
        `${CONFIG_FILE} has an unknown field \`${key}\`${guess ? `; did you mean \`${guess}\`?` : `; the fields are ${FIELDS.join(", ")}.`}`,
      );
    }
    const field = issue.path.join(".") || "(top level)";
    const message = issue.code === "invalid_type" && issue.path.length === 0 ? "must be a mapping of fields" : issue.message;
    throw new UserError(`${CONFIG_FILE}: \`${field}\` ${message}.`);
  }
  const config = parsed.data;
  const challenge = findChallenge(config.challenge);
  if (!challenge) {
    throw new UserError(
      `${CONFIG_FILE} names the challenge \`${config.challenge}\`, which clstr does not know; use one of: ${challenges.map((c) => c.key).join(", ")}.`,
    );
  }
  if (!findStage(challenge, config.stage)) {
    throw new UserError(
      `${CONFIG_FILE} names the stage \`${config.stage}\`, which ${challenge.key} does not have; use one of: ${challenge.stages.map((s) => s.key).join(", ")}.`,
    );
  }
  return config;
}

/** Rewrites only the stage, keeping the learner's comments and layout. */
export function saveStage(dir: string, stage: string): void {
  const path = join(dir, CONFIG_FILE);
  const doc = parseDocument(readFileSync(path, "utf8"));
  doc.set("stage", stage);
  writeFileSync(path, doc.toString());
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}
