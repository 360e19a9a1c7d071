// The GitHub Actions workflow `clstr init` writes for the learner's repository:
// on every push and pull request, the stages so far must pass, as on their machine.
import { stringify } from "yaml";
import type { CiStep, LanguageSetup } from "./languages.js";

export const WORKFLOW_PATH = ".github/workflows/clstr.yml";

/** The workflow file: install clstr as `packageName`, make the runner ready, set up the language, test every stage so far. */
export function ciWorkflow(packageName: string, setup: LanguageSetup): string {
  const steps: CiStep[] = [
    { name: "Check out", uses: "actions/checkout@v4" },
    { name: "Set up Node.js", uses: "actions/setup-node@v4", with: { "node-version": "20" } },
    { name: "Install clstr", run: `npm install -g ${packageName}` },
    // sudo resets PATH; keep the runner's, where npm put clstr and node.
    { name: "Make this machine ready for clstr's runtime", run: 'sudo env "PATH=$PATH" clstr doctor --fix' },
    ...setup.ci,
    { name: "Test every stage up to the current one", run: "clstr test --so-far" },
  ];
  const workflow = {
    name: "clstr",
    on: ["push", "pull_request"],
    jobs: { test: { "runs-on": "ubuntu-latest", steps } },
  };
  const header = [
    "# Runs `clstr test --so-far` on every push and pull request: every stage up to",
    "# the one in clstr.yaml must pass, here as on your machine.",
  ];
  return `${header.join("\n")}\n${stringify(workflow, { lineWidth: 0 })}`;
}
