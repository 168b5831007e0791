import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ServiceProcess } from '../../apps/demo/src/service-process.js';

export const MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
export const POSTGRES_URL =
  process.env.FLUX_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The built entry point of a sample app; the test run builds first (`pretest`). */
export function distScript(app: 'bank-command' | 'bank-read'): string {
  const path = fileURLToPath(new URL(`../../dist/apps/${app}/src/main.js`, import.meta.url));
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`);
  return path;
}

/** Random names per test, so parallel runs never share a table or a key. */
export function isolation() {
  const id = `e2e_${randomBytes(4).toString('hex')}`;
  return { tablePrefix: `${id}_`, keyPrefix: `${id}:` };
}

export interface BankOptions {
  mode: 'stream' | 'feed';
  redisUrl: string;
  tablePrefix: string;
  keyPrefix: string;
  /** The command service's event store (`EVENT_STORE_URL`); default MariaDB. */
  eventStoreUrl?: string;
  /** Extra environment of each service (e.g. a tracing preload), by service. */
  env?: { command?: Record<string, string>; read?: Record<string, string> };
}

/** Both sample services as separate processes against real MariaDB (and Redis). */
export class Bank {
  private constructor(
    readonly command: ServiceProcess,
    readonly read: ServiceProcess,
  ) {}

  static async start(o: BankOptions): Promise<Bank> {
    const command = await ServiceProcess.start('bank-command', distScript('bank-command'), {
      PORT: '0',
      MYSQL_URL,
      EVENT_STORE_URL: o.eventStoreUrl ?? '',
      TABLE_PREFIX: `${o.tablePrefix}cmd_`,
      REDIS_URL: o.redisUrl,
      KEY_PREFIX: o.keyPrefix,
      ...o.env?.command,
    });
    try {
      const read = await ServiceProcess.start('bank-read', distScript('bank-read'), {
        PORT: '0',
        READ_MODE: o.mode,
        COMMAND_URL: command.url,
        FEED_INTERVAL_MS: '100',
        MYSQL_URL,
        TABLE_PREFIX: `${o.tablePrefix}read_`,
        // Feed mode must work without Redis: do not even tell it where Redis is.
        REDIS_URL: o.mode === 'stream' ? o.redisUrl : '',
        KEY_PREFIX: o.keyPrefix,
        ...o.env?.read,
      });
      return new Bank(command, read);
    } catch (error) {
      await command.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    await Promise.all([this.read.stop(), this.command.stop()]);
  }

  /** Both processes' output, to attach to a failure. */
  output(): string {
    return `--- bank-command ---\n${this.command.output}\n--- bank-read ---\n${this.read.output}`;
  }
}
