// The attest test DSL: what a stage file imports.
export { suite, Suite } from "./suite.js";
export type { TestContext, FetchResponse } from "./context.js";
export { Node, type NodeSelector } from "./selectors.js";
export { Loss, Delay, Duplicate, Reorder, type Impairment } from "../faults/impairments.js";
export { Is, Matches, Contains, OneOf, GreaterThan, LessThan, IsNull, HasLen, Not, type Matcher } from "./matchers.js";
export { faultSchedule, faultKindsOf, describeScheduledFault, type FaultChoice, type ScheduledFault, type Fault } from "../faults/schedule.js";
export type { Recording } from "./history/linearizable.js";
