/** A failed expectation: what happened, and optionally what to do about it. */
export class StageFailure extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "StageFailure";
  }
}

/** The run was interrupted (Ctrl-C); not a failure of the learner's code. */
export class Interrupted extends Error {
  constructor() {
    super("interrupted");
    this.name = "Interrupted";
  }
}
