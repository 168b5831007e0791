import { SerializationError } from '../../errors/serialization.error.js';
import { EventStoreUnavailableError } from '../../errors/event-store-unavailable.error.js';
import { FluxError } from '../../errors/flux.error.js';

/** mysql2 error codes that mean the server could not be used at all. */
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
]);

const codeOf = (error: unknown): string | undefined =>
  (error as { code?: unknown })?.code as string | undefined;

/** @internal */
export function isUnavailableError(error: unknown): boolean {
  const code = codeOf(error);
  return (
    (code !== undefined && UNAVAILABLE.has(code)) || (error as { fatal?: unknown })?.fatal === true
  );
}

/**
 * The unique (aggregate_id, version) key refused a row: another writer got there first.
 * @internal
 */
export function isVersionConflict(error: unknown): boolean {
  return (
    codeOf(error) === 'ER_DUP_ENTRY' &&
    String((error as Error).message).includes('uq_aggregate_version')
  );
}

/**
 * Failures InnoDB resolves by rolling one transaction back; running it again is safe.
 * @internal
 */
export function isRetryableLockError(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
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
  if (codeOf(error) === 'ER_NO_SUCH_TABLE') {
    return new FluxError(
      'EVENT_STORE_SCHEMA_MISSING',
      `The event store tables ${context.tables ?? ''} do not exist at ${context.address}. Run the ` +
        `CreateFluxTables migration or create the store with { synchronize: true }.`,
    );
  }
  if (codeOf(error) === 'ER_NET_PACKET_TOO_LARGE') {
    return new SerializationError(
      `${context.operation} at ${context.address}`,
      "the events are larger than the server's max_allowed_packet; nothing was stored",
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
