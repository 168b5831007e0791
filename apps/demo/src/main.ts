import { call, waitFor } from './http-client.js';
import { runScenario } from './scenario.js';
import { ServiceProcess } from './service-process.js';
import { renderTable } from './table.js';

const script = (app: string) => new URL(`../../${app}/src/main.js`, import.meta.url).pathname;

interface Row {
  id: string;
  owner: string;
  balance: number;
  version: number;
}

/**
 * `npm run demo`: both sample services as separate processes on free ports, a scripted
 * scenario against the command service, then the read model next to the command side.
 * Embedded defaults (memory, feed); EVENT_STORE_URL (postgres:// or mysql://), MYSQL_URL,
 * REDIS_URL and READ_MODE pass through.
 */
async function main(): Promise<void> {
  const services: ServiceProcess[] = [];
  try {
    const command = await ServiceProcess.start('bank-command', script('bank-command'), {
      PORT: '0',
    });
    services.push(command);
    const read = await ServiceProcess.start('bank-read', script('bank-read'), {
      PORT: '0',
      COMMAND_URL: command.url,
      FEED_INTERVAL_MS: '200',
    });
    services.push(read);
    console.log(`bank-command  ${command.url}\nbank-read     ${read.url}\n`);

    const { accounts, log } = await runScenario(command.url);
    log.forEach((line) => console.log(`  ${line}`));

    const commandSide = await Promise.all(
      accounts.map(async (id) => (await call<Row>('GET', `${command.url}/accounts/${id}`)).body),
    );
    let readSide: Array<Row | null> = [];
    await waitFor('the read model to converge', async () => {
      readSide = await Promise.all(
        accounts.map(async (id) => {
          const res = await call<Row>('GET', `${read.url}/balances/${id}`);
          return res.status === 200 ? res.body : null;
        }),
      );
      return readSide.every(
        (r, i) => r?.balance === commandSide[i].balance && r.version === commandSide[i].version,
      );
    });

    const health = (await call('GET', `${read.url}/health`)).body;
    console.log(
      `\nread model converged (${health.mode} mode, last position ${health.lastPosition}):\n`,
    );
    console.log(
      renderTable([
        ['account', 'owner', 'command balance', 'version', 'read balance', 'version'],
        ...commandSide.map((c, i) => [
          c.id,
          c.owner,
          cents(c.balance),
          c.version,
          cents(readSide[i]!.balance),
          readSide[i]!.version,
        ]),
      ]),
    );
  } catch (error) {
    for (const service of services)
      console.error(`\n--- ${service.name} output ---\n${service.output}`);
    throw error;
  } finally {
    const stops = await Promise.all(services.map(async (s) => `${s.name}: ${await s.stop()}`));
    console.log(`\nstopped ${stops.join(', ')}`);
  }
}

const cents = (value: number) => (value / 100).toFixed(2);

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
