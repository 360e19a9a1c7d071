import type { TestContext } from "./context.js";
import { resolveOptions, type SuiteConfig, type SuiteOptions } from "./options.js";

export interface TestCase {
  name: string;
  fn: (t: TestContext) => Promise<void>;
}

/** A stage's tests: run in order against one cluster, first failure stops. */
export class Suite {
  readonly config: SuiteConfig;
  readonly tests: TestCase[] = [];

  constructor(options: SuiteOptions) {
    this.config = resolveOptions(options);
  }

  test(name: string, fn: (t: TestContext) => Promise<void>): this {
    this.tests.push({ name, fn });
    return this;
  }
}

export function suite(options: SuiteOptions): Suite {
  return new Suite(options);
}
