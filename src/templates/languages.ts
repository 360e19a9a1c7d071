// What `clstr init` writes per language: which Dockerfile template, how the
// local runtime builds and starts one node, and how CI installs the toolchain.

export interface LanguageSetup {
  dockerfile: string;
  build?: string;
  run: string;
  /** Build output a learner should not commit. */
  ignore: string[];
  /** CI workflow steps that install this language's toolchain and dependencies (GitHub Actions). */
  ci: CiStep[];
}

/** One GitHub Actions step: an action to use, or a shell command. */
export type CiStep = { name: string; uses: string; with?: Record<string, string> } | { name: string; run: string };

const LANGUAGES: Record<string, LanguageSetup> = {
  typescript: {
    dockerfile: "typescript", build: "npm run build", run: "node dist/server.js", ignore: ["node_modules/", "dist/"],
    ci: [{ name: "Install your dependencies", run: "npm install" }],
  },
  go: {
    dockerfile: "go", build: "go build -o server .", run: "./server", ignore: ["server"],
    ci: [{ name: "Set up Go", uses: "actions/setup-go@v5", with: { "go-version": "1.24" } }],
  },
  python: {
    dockerfile: "python", run: "python3 server.py", ignore: ["__pycache__/", ".venv/"],
    ci: [{ name: "Set up Python", uses: "actions/setup-python@v5", with: { "python-version": "3.13" } }],
  },
  rust: {
    // GitHub's Ubuntu runners come with cargo.
    dockerfile: "rust", build: "cargo build --release", run: "./target/release/server", ignore: ["target/"], ci: [],
  },
  java: {
    dockerfile: "java", build: "mvn -q package", run: "java -jar target/server.jar", ignore: ["target/"],
    ci: [{ name: "Set up Java", uses: "actions/setup-java@v4", with: { distribution: "temurin", "java-version": "21" } }],
  },
  elixir: {
    dockerfile: "elixir", build: "mix compile", run: "mix run --no-halt", ignore: ["_build/", "deps/"],
    ci: [
      { name: "Set up Elixir", uses: "erlef/setup-beam@v1", with: { "elixir-version": "1.18", "otp-version": "27" } },
      { name: "Fetch your dependencies", run: "mix deps.get" },
    ],
  },
};

const ALIASES: Record<string, string> = {
  ts: "typescript", node: "typescript", nodejs: "typescript", javascript: "typescript", js: "typescript",
  golang: "go", py: "python", python3: "python", rs: "rust", ex: "elixir", kotlin: "java",
};

export const GENERIC: LanguageSetup = { dockerfile: "generic", run: "./server", ignore: [], ci: [] };

/** The same setup for a Maelstrom node: its program is called node, not server (`go build -o node .`, `./node`). */
export function maelstromSetup(setup: LanguageSetup): LanguageSetup {
  const rename = (s: string) => s.replace(/server/g, "node");
  return { ...setup, build: setup.build && rename(setup.build), run: rename(setup.run), ignore: setup.ignore.map(rename) };
}

/** The setup for a language name, or the generic one for a language we have no template for. */
export function languageSetup(name: string): { key: string; setup: LanguageSetup; known: boolean } {
  const key = ALIASES[name.toLowerCase().trim()] ?? name.toLowerCase().trim();
  const setup = LANGUAGES[key];
  return setup ? { key, setup, known: true } : { key, setup: GENERIC, known: false };
}
