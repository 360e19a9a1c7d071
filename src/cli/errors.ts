/**
 * A mistake the user can fix (bad input, wrong directory, bad clstr.yaml):
 * printed as one sentence, never with a stack trace. Exit code 2.
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
