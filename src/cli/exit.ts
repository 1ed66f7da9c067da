/** A command that ends with its own exit code and one line on stderr (e.g. 124: a wait timed out). */
export class ExitWith extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "ExitWith";
  }
}
