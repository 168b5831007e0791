import { InvalidArgumentError } from '../errors/invalid-argument.error.js';

/**
 * Where and as whom to connect, parsed from a database URL.
 * @internal
 */
export interface DatabaseConnectionSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** `host:port`, the only location ever shown in messages. */
  address: string;
}

/**
 * What distinguishes one server's URLs: `schemes[0]` is the one named in messages.
 * @internal
 */
export interface DatabaseUrlFormat {
  schemes: readonly string[];
  defaultPort: number;
  defaultUser: string;
}

/**
 * Parses a `scheme://user:password@host:port/database` URL; a bad URL is never repeated in a message.
 * @internal
 */
export function parseDatabaseUrl(
  url: string,
  format: DatabaseUrlFormat,
): DatabaseConnectionSettings {
  const [scheme] = format.schemes;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError('url', `expected ${scheme}://user:password@host:port/database`);
  }
  if (!format.schemes.includes(parsed.protocol.slice(0, -1))) {
    throw new InvalidArgumentError('url', `expected the ${scheme}: scheme, got ${parsed.protocol}`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new InvalidArgumentError('url', 'it names no database (…/database)');
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = parsed.port ? Number(parsed.port) : format.defaultPort;
  return {
    host,
    port,
    user: decodeURIComponent(parsed.username) || format.defaultUser,
    password: decodeURIComponent(parsed.password),
    database,
    address: `${host}:${port}`,
  };
}

/**
 * Rejects pool sizes that would make the store hang or overload the server.
 * @internal
 */
export function assertPoolSize(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > 1000) {
    throw new InvalidArgumentError(field, `expected an integer from 1 to 1000, got ${value}`);
  }
}
