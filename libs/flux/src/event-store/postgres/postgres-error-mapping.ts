import { EventStoreUnavailableError } from '../../errors/event-store-unavailable.error.js';
import { FluxError } from '../../errors/flux.error.js';

/** Socket-level codes (Node) that mean the server could not be used at all. */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/**
 * SQLSTATEs of the same meaning: connection exceptions (class 08), the server shutting down or
 * starting (57P01–57P03), a statement that ran out of `statement_timeout` (57014), too many
 * connections (53300), bad credentials (28…) and an unknown database (3D000).
 */
const SQLSTATE = /^(08...|57P0[1-3]|57014|53300|28...|3D000)$/;

/** pg reports a dropped socket or an unanswered connect without a code. */
const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|connection timeout/i;

const codeOf = (error: unknown): string | undefined =>
  (error as { code?: unknown })?.code as string | undefined;

/** @internal */
export function isUnavailableError(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined && (NETWORK.has(code) || SQLSTATE.test(code))) return true;
  return code === undefined && error instanceof Error && MESSAGES.test(error.message);
}

/**
 * The unique (aggregate_id, version) key refused a row: another writer got there first.
 * @internal
 */
export function isVersionConflict(error: unknown, versionKey: string): boolean {
  return codeOf(error) === '23505' && (error as { constraint?: string }).constraint === versionKey;
}

/**
 * Turns a driver error into the store's error. Connection failures become
 * `EventStoreUnavailableError` naming host:port; the password is cut from every message, since
 * drivers and proxies sometimes echo connection strings.
 * @internal
 */
export function toStoreError(
  error: unknown,
  context: { address: string; password: string; operation: string; tables?: string },
): unknown {
  const code = codeOf(error);
  // 42P01: undefined table; 3F000: the configured schema does not exist.
  if (code === '42P01' || code === '3F000') {
    return new FluxError(
      'EVENT_STORE_SCHEMA_MISSING',
      `The event store tables ${context.tables ?? ''} do not exist at ${context.address}. Run the ` +
        `CreatePostgresFluxTables migration or create the store with { synchronize: true }.`,
    );
  }
  if (!isUnavailableError(error)) return error;
  const cause = redactedError(error, context.password);
  return new EventStoreUnavailableError(context.address, context.operation, { cause });
}

function redactedError(error: unknown, password: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  const redacted = new Error(password ? message.split(password).join('***') : message);
  Object.assign(redacted, { code: codeOf(error) });
  return redacted;
}
