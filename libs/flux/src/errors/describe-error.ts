const MAX_ERROR_LENGTH = 2000;

/**
 * Short, single-line description of an error for a dead letter's `error` tag.
 * @internal
 */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}
