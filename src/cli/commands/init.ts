import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import pc from "picocolors";
import { challenges, findChallenge } from "../../challenges/registry.js";
import { isAvailable, type Challenge } from "../../challenges/types.js";
import { languageSetup, type LanguageSetup } from "../../templates/languages.js";
import { packageRoot } from "../../util/packageRoot.js";
import { UserError } from "../../util/errors.js";

export default async function init(
  challengeKey: string,
  path: string,
  opts: { language?: string; lang?: string; force?: boolean },
): Promise<void> {
  const challenge = findChallenge(challengeKey);
  if (!challenge) {
    throw new UserError(`There is no challenge \`${challengeKey}\`; the challenges are: ${challenges.map((c) => c.key).join(", ")}.`);
  }
  const language = opts.lang ?? opts.language ?? "";
  const { setup, known } = languageSetup(language);
  const dir = resolve(path);
  const maelstrom = challenge.stages.some((s) => s.maelstrom);
  const files: Record<string, string> = {
    ...(maelstrom ? {} : { Dockerfile: readFileSync(join(packageRoot, "src", "templates", "dockerfiles", `${setup.dockerfile}.Dockerfile`), "utf8") }),
    "README.md": readme(challenge),
    "clstr.yaml": configYaml(challenge, setup, known, maelstrom),
    ".gitignore": [".clstr/", ...(maelstrom ? ["store/"] : []), ...setup.ignore].join("\n") + "\n",
  };
  const existing = Object.keys(files).filter((f) => existsSync(join(dir, f)));
  if (existing.length > 0 && !opts.force) {
    throw new UserError(`${existing.join(", ")} already exist${existing.length === 1 ? "s" : ""} in ${dir}; pass --force to overwrite, or choose another path.`);
  }
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);

  const where = relative(process.cwd(), dir) || ".";
  console.log(where === "." ? "Created challenge in current directory." : `Created challenge in directory: ./${where}`);
  if (!maelstrom) console.log("  Dockerfile     - Build and run your server in a container");
  console.log("  README.md      - Challenge overview and requirements");
  console.log("  clstr.yaml     - Tracks your progress and how to start your server");
  console.log("  .gitignore     - Keeps clstr's run files out of git\n");
  if (!known) console.log(pc.yellow(`No template for ${language}: edit \`run:\` in clstr.yaml and the Dockerfile.\n`));
  const first = challenge.stages[0]!.key;
  const cd = where === "." ? "" : `cd ${where} and `;
  console.log(`${cd ? cd[0]!.toUpperCase() + cd.slice(1) : ""}${cd ? "i" : "I"}mplement the ${first} stage (${pc.yellow(`clstr guide ${first}`)}), then run ${pc.yellow("clstr test")}.`);
}

/** clstr.yaml for a new challenge directory: progress, and how to build and start one node. */
function configYaml(challenge: Challenge, setup: LanguageSetup, known: boolean, maelstrom: boolean): string {
  const noun = maelstrom ? "node" : "server";
  const command = (s: string) => (maelstrom ? s.replace(/server/g, "node") : s);
  const lines = [
    "# Your progress through the challenge (clstr next advances it).",
    `challenge: ${challenge.key}`,
    `stage: ${challenge.stages[0]!.key}`,
    "",
    ...(maelstrom
      ? [
          "# How clstr starts your Maelstrom node. `run:` starts ONE node and runs once",
          "# per node, in this directory; the node reads messages on stdin and writes",
          "# them on stdout, one JSON object per line, and logs to stderr.",
        ]
      : [
          "# How clstr starts your server without Docker. `run:` starts ONE node and",
          "# runs once per node, in this directory, with ADDR (host:port to listen on),",
          "# PEERS (the other nodes, comma-separated) and DATA_DIR (your node's files).",
        ]),
  ];
  if (setup.build) lines.push("# `build:` runs once before the nodes start.", `build: ${command(setup.build)}`);
  else lines.push(`# Add \`build: <command>\` if your ${noun} needs a compile step.`);
  if (!known) lines.push(`# Replace with the command that starts your ${noun}.`);
  lines.push(`run: ${command(setup.run)}`, "");
  return lines.join("\n");
}

function readme(challenge: Challenge): string {
  const overview = readFileSync(join(challenge.docsDir, "overview.md"), "utf8").trim();
  const stages = challenge.stages
    .map((s, i) => `${i + 1}. **${s.key}**: ${s.name}${isAvailable(s) ? ` (\`clstr guide ${s.key}\`)` : " (coming soon)"}`)
    .join("\n");
  return `# ${challenge.name} Challenge

${challenge.summary}

${overview}

## Stages

${stages}

## Getting Started

1. Read the guide for the current stage: \`clstr guide\`
2. Set \`run:\` (and \`build:\` if needed) in \`clstr.yaml\` so clstr can start your server
3. Run \`clstr test\` to check your implementation, \`clstr logs\` to see what your nodes printed
4. Run \`clstr next\` to advance when the tests pass; \`clstr status\` shows your progress

Run \`clstr --help\` to see all commands.
`;
}
