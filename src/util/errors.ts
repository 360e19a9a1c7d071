// The two kinds of error a learner can act on. Both are printed as one
// sentence (and, for a runtime error, its details), never with a stack trace.

/**
 * A mistake the user can fix (bad input, wrong directory, bad clstr.yaml).
 * Exit code 2 unless given.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** A problem with the learner's server or this machine, found while running nodes. */
export class RuntimeError extends Error {
  constructor(
    message: string,
    readonly details?: string,
  ) {
    super(message);
    this.name = "RuntimeError";
  }
}
