// What `clstr init` writes per language: which Dockerfile template, and how
// the local runtime builds and starts one node.

export interface LanguageSetup {
  dockerfile: string;
  build?: string;
  run: string;
  /** Build output a learner should not commit. */
  ignore: string[];
}

const LANGUAGES: Record<string, LanguageSetup> = {
  typescript: { dockerfile: "typescript", build: "npm run build", run: "node dist/server.js", ignore: ["node_modules/", "dist/"] },
  go: { dockerfile: "go", build: "go build -o server .", run: "./server", ignore: ["server"] },
  python: { dockerfile: "python", run: "python3 server.py", ignore: ["__pycache__/", ".venv/"] },
  rust: { dockerfile: "rust", build: "cargo build --release", run: "./target/release/server", ignore: ["target/"] },
  java: { dockerfile: "java", build: "mvn -q package", run: "java -jar target/server.jar", ignore: ["target/"] },
  elixir: { dockerfile: "elixir", build: "mix compile", run: "mix run --no-halt", ignore: ["_build/", "deps/"] },
};

const ALIASES: Record<string, string> = {
  ts: "typescript", node: "typescript", nodejs: "typescript", javascript: "typescript", js: "typescript",
  golang: "go", py: "python", python3: "python", rs: "rust", ex: "elixir", kotlin: "java",
};

export const GENERIC: LanguageSetup = { dockerfile: "generic", run: "./server", ignore: [] };

/** The setup for a language name, or the generic one for a language we have no template for. */
export function languageSetup(name: string): { key: string; setup: LanguageSetup; known: boolean } {
  const key = ALIASES[name.toLowerCase().trim()] ?? name.toLowerCase().trim();
  const setup = LANGUAGES[key];
  return setup ? { key, setup, known: true } : { key, setup: GENERIC, known: false };
}
