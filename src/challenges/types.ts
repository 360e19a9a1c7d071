import type { Suite } from "../attest/suite.js";

export interface Stage {
  key: string;
  name: string;
  /** Loads the stage's tests; absent for stages announced but not yet built. */
  load?: () => Promise<Suite>;
}

export interface Challenge {
  key: string;
  name: string;
  summary: string;
  stages: Stage[];
  /** Folder holding overview.md and guides/<stage>.md. */
  docsDir: string;
}
