import type { FaultKind } from "../faults/mechanisms.js";
import type { TestContext } from "./context.js";
import { resolveOptions, type SuiteConfig, type SuiteOptions } from "./options.js";

export interface TestCase {
  name: string;
  fn: (t: TestContext) => Promise<void>;
  /** Faults this test injects beyond the suite's; where the runtime cannot inject one, the test is skipped and says why. */
  needs: FaultKind[];
}

export interface TestOptions {
  needs?: FaultKind[];
}

/** A stage's tests: run in order against one cluster, first failure stops. */
export class Suite {
  readonly config: SuiteConfig;
  readonly tests: TestCase[] = [];

  constructor(options: SuiteOptions) {
    this.config = resolveOptions(options);
  }

  test(name: string, fn: (t: TestContext) => Promise<void>, options: TestOptions = {}): this {
    this.tests.push({ name, fn, needs: [...new Set(options.needs ?? [])] });
    return this;
  }

  /** Every fault kind the stage may inject: the suite's needs, then its tests'. */
  get faultKinds(): FaultKind[] {
    return [...new Set([...this.config.needs, ...this.tests.flatMap((t) => t.needs)])];
  }
}

export function suite(options: SuiteOptions): Suite {
  return new Suite(options);
}
