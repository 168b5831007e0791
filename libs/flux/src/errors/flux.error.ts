/** Base class of every error nestjs-flux throws; `code` is stable and safe to switch on. */
export class FluxError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
