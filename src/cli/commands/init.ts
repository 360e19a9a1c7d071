import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import pc from "picocolors";
import { challenges, findChallenge } from "../../challenges/registry.js";
import { isAvailable, type Challenge } from "../../challenges/types.js";
import { languageSetup, maelstromSetup, type LanguageSetup } from "../../templates/languages.js";
import { maelstromStarter, type Starter } from "../../templates/starters.js";
import { ciWorkflow, WORKFLOW_PATH } from "../../templates/workflow.js";
import { packageInfo } from "../../util/packageInfo.js";
import { packageRoot } from "../../util/packageRoot.js";
import { UserError } from "../../util/errors.js";

/** One file `clstr init` writes, and the line that tells the learner what it is for. */
interface NewFile {
  path: string;
  content: string;
  about: string;
}

/** What a new challenge directory is made of, once the challenge and language are known. */
interface Plan {
  challenge: Challenge;
  language: string;
  setup: LanguageSetup;
  known: boolean;
  /** A Maelstrom challenge: nodes speak JSON on stdin/stdout, no HTTP and no Dockerfile. */
  maelstrom: boolean;
  starter: Starter | undefined;
}

export default async function init(
  challengeKey: string,
  path: string,
  opts: { language?: string; lang?: string; force?: boolean },
): Promise<void> {
  const plan = planFor(challengeKey, opts.lang ?? opts.language ?? "");
  const dir = resolve(path);
  const files = filesOf(plan);
  writeAll(dir, files, opts.force ?? false);
  printSummary(plan, dir, files);
}

function planFor(challengeKey: string, language: string): Plan {
  const challenge = findChallenge(challengeKey);
  if (!challenge) {
    throw new UserError(`There is no challenge \`${challengeKey}\`; the challenges are: ${challenges.map((c) => c.key).join(", ")}.`);
  }
  const { key, setup, known } = languageSetup(language);
  const maelstrom = challenge.family === "maelstrom";
  return {
    challenge,
    language,
    setup: maelstrom ? maelstromSetup(setup) : setup,
    known,
    maelstrom,
    starter: maelstrom ? maelstromStarter(key) : undefined,
  };
}

function filesOf(plan: Plan): NewFile[] {
  const { challenge, setup, maelstrom, starter } = plan;
  const files: NewFile[] = [];
  if (!maelstrom) {
    const dockerfile = readFileSync(join(packageRoot, "src", "templates", "dockerfiles", `${setup.dockerfile}.Dockerfile`), "utf8");
    files.push({ path: "Dockerfile", content: dockerfile, about: "Build and run your server in a container" });
  }
  files.push(
    { path: "README.md", content: readme(plan), about: "Challenge overview and how to start" },
    { path: "clstr.yaml", content: configYaml(plan), about: `Tracks your progress and how to start your ${maelstrom ? "node" : "server"}` },
    { path: ".gitignore", content: [".clstr/", ...(maelstrom ? ["store/"] : []), ...setup.ignore].join("\n") + "\n", about: "Keeps clstr's run files out of git" },
    { path: WORKFLOW_PATH, content: ciWorkflow(packageInfo().name, setup), about: "Runs clstr test --so-far on every push (GitHub Actions)" },
  );
  for (const [path, content] of Object.entries(starter?.files ?? {})) {
    const about = path === starter?.entry ? "A Maelstrom node that answers init: start here" : "Builds the starter node";
    files.push({ path, content, about });
  }
  return files;
}

function writeAll(dir: string, files: NewFile[], force: boolean): void {
  const existing = files.map((f) => f.path).filter((f) => existsSync(join(dir, f)));
  if (existing.length > 0 && !force) {
    throw new UserError(`${existing.join(", ")} already exist${existing.length === 1 ? "s" : ""} in ${dir}; pass --force to overwrite, or choose another path.`);
  }
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.content);
  }
}

function printSummary(plan: Plan, dir: string, files: NewFile[]): void {
  const where = relative(process.cwd(), dir) || ".";
  console.log(where === "." ? "Created challenge in current directory." : `Created challenge in directory: ./${where}`);
  const width = Math.max(...files.map((f) => f.path.length));
  for (const f of files) console.log(`  ${f.path.padEnd(width)} - ${f.about}`);
  console.log();
  const first = plan.challenge.stages[0]!.key;
  const cd = where === "." ? [] : [`cd ${where}`];
  if (plan.maelstrom && !plan.starter) {
    console.log(pc.yellow(`No starter node for ${plan.language}: write one that answers init and ${first} (clstr guide ${first}), and set \`run:\` in clstr.yaml to start it.\n`));
  } else if (!plan.known) {
    console.log(pc.yellow(`No template for ${plan.language}: edit \`run:\` in clstr.yaml and the Dockerfile.\n`));
  }
  if (plan.starter) {
    const steps = [...cd, ...(plan.starter.setup ? [plan.starter.setup] : []), "clstr test"].join(" && ");
    console.log(`Next: ${pc.yellow(steps)}: the starter node answers init and fails ${first} until you add its handler; ${pc.yellow(`clstr guide ${first}`)} explains the protocol.`);
  } else {
    console.log(`Next: ${cd.map((c) => `${pc.yellow(c)}, `).join("")}implement the ${first} stage (${pc.yellow(`clstr guide ${first}`)}), then run ${pc.yellow("clstr test")}.`);
  }
}

/** clstr.yaml for a new challenge directory: progress, and how to build and start one node. */
function configYaml({ challenge, setup, known, maelstrom }: Plan): string {
  const noun = maelstrom ? "node" : "server";
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
  if (setup.build) lines.push("# `build:` runs once before the nodes start.", `build: ${setup.build}`);
  else lines.push(`# Add \`build: <command>\` if your ${noun} needs a compile step.`);
  if (!known) lines.push(`# Replace with the command that starts your ${noun}.`);
  lines.push(`run: ${setup.run}`, "");
  return lines.join("\n");
}

function readme(plan: Plan): string {
  const { challenge } = plan;
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

${plan.maelstrom ? maelstromGettingStarted(plan) : serverGettingStarted()}

Push this directory to GitHub and \`${WORKFLOW_PATH}\` runs \`clstr test --so-far\` on every push.
Run \`clstr --help\` to see all commands.
`;
}

function serverGettingStarted(): string {
  return `1. Read the guide for the current stage: \`clstr guide\`
2. Set \`run:\` (and \`build:\` if needed) in \`clstr.yaml\` so clstr can start your server
3. Run \`clstr test\` to check your implementation, \`clstr logs\` to see what your nodes printed
4. Run \`clstr next\` to advance when the tests pass; \`clstr status\` shows your progress`;
}

function maelstromGettingStarted({ challenge, setup, starter, language }: Plan): string {
  const first = challenge.stages[0]!.key;
  const start = starter
    ? `\`${starter.entry}\` is a node to start from: it answers \`init\`; add a handler for \`${first}\`. \`run: ${setup.run}\` in \`clstr.yaml\` starts it.${starter.setup ? ` Run \`${starter.setup}\` once first.` : ""}`
    : `There is no starter node for ${language || "your language"}: write one that answers \`init\` and \`${first}\`, and set \`run:\` (and \`build:\` if it needs compiling) in \`clstr.yaml\` so clstr can start it.`;
  return `Your node is a program that reads messages on stdin and writes messages on stdout, one JSON object per line (\`{"src": "c1", "dest": "n1", "body": {"type": "${first}", "msg_id": 1, ...}}\`); its logs go to stderr, never stdout. clstr starts it once per node with the \`run:\` command in \`clstr.yaml\`. The first message every node gets is \`init\`, with its \`node_id\` and all \`node_ids\`; it answers \`init_ok\`. Every reply carries \`in_reply_to\`: the \`msg_id\` of the request it answers.

${start}

1. Read the first stage's guide: \`clstr guide ${first}\`
2. Run \`clstr test\` to check your node, \`clstr logs\` to see what your nodes wrote on stderr
3. Run \`clstr next\` to advance when the tests pass; \`clstr guide\` then shows the next stage and \`clstr status\` your progress`;
}
