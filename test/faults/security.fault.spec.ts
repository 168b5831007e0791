import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { afterAll, describe, expect, it } from 'vitest';
import { EventBroker, MysqlEventStore, type StreamEvent } from 'nestjs-flux';
import { startFaultApp, type FaultApp } from './support/app.js';
import { StreamedAccount } from './support/account.js';
import { REDIS_URL } from './support/env.js';
import { freePort } from '../support/free-port.js';
import { OwnRedis } from './support/redis-server.js';
import { deleteKeys } from './support/redis-keys.js';
import { report } from './support/tally.js';
import { StreamConsumer } from 'nestjs-flux';
import { waitUntil, within } from './support/wait.js';

const SRC = fileURLToPath(new URL('../../libs/flux/src/', import.meta.url));

describe('security: no endpoint the user did not configure', () => {
  const apps: FaultApp[] = [];
  const prefix = `flux-faults:routes:${randomBytes(4).toString('hex')}:`;
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await deleteKeys(prefix);
  });

  it.each([
    ['FluxModule.forRoot({})', {}],
    [
      'with Redis, streams and the relay',
      { redis: { default: REDIS_URL }, streams: ['fault-accounts'] },
    ],
  ])('%s maps no route and answers 404 everywhere', async (_label, flux) => {
    const fault = await startFaultApp({
      flux: { ...flux, keyPrefix: prefix },
      aggregates: 'redis' in flux ? [StreamedAccount] : [],
      http: true,
    });
    apps.push(fault);
    const mapped = fault.logger.lines.filter((l) => /Mapped \{|RoutesResolver/.test(l.text));
    expect(mapped.map((l) => l.text)).toEqual([]);
    for (const path of [
      '/',
      '/events',
      '/events/stream',
      '/events/1',
      '/board',
      '/flux',
      '/metrics',
      '/health',
      '/dead-letters',
    ]) {
      const response = await fetch(`${fault.origin}${path}`);
      await response.arrayBuffer();
      expect(response.status, path).toBe(404);
    }
  });
});

/** Everything an error exposes: message, stack, cause chain, own properties, JSON. */
function exposed(error: unknown): string {
  let text = inspect(error, { depth: 8, showHidden: true, getters: false });
  try {
    text += JSON.stringify(error);
  } catch {
    // circular: inspect covered it
  }
  return text;
}

@StreamConsumer('secret-stream', {
  group: 'secret',
  block: 100,
  retryDelay: 50,
  maxRetryDelay: 200,
})
class SecretWorker {
  async handle(_events: StreamEvent[]) {}
}

@Injectable()
class Nothing {}

describe('security: passwords never appear in errors or logs', () => {
  const password = `S3cret-${randomBytes(6).toString('hex')}`;

  it.each(['wrong credentials in a URL', 'a closed port (options object)'] as const)(
    'Redis: %s — errors and logs never show the password',
    async (kind) => {
      const own = kind === 'wrong credentials in a URL' ? await OwnRedis.start() : undefined;
      const port = own?.port ?? (await freePort());
      const redis =
        kind === 'wrong credentials in a URL'
          ? `redis://flux-user:${password}@127.0.0.1:${port}/0`
          : // ioredis 6 retries a command 20 times (~70 s) by default: bounded here so the
            // errors come within the test's time.
            {
              host: '127.0.0.1',
              port,
              username: 'flux-user',
              password,
              maxRetriesPerRequest: 1,
              retryStrategy: () => 200,
            };
      const fault = await startFaultApp({
        flux: {
          redis: { default: redis },
          streams: ['fault-accounts', 'secret-stream'],
          relay: { pollInterval: 50 },
        },
        aggregates: [StreamedAccount],
        providers: [SecretWorker, Nothing],
        workers: true,
      });
      try {
        const broker = fault.app.get(EventBroker);
        const publishError = await within(
          30_000,
          'publish',
          broker.publish('secret-stream', { a: 1 }),
        ).then(
          () => null,
          (e: unknown) => e,
        );
        await waitUntil(
          'the relay and the worker to log the outage',
          () =>
            fault.logger.lines.some((l) => /relay paused/.test(l.text)) &&
            fault.logger.lines.some((l) => /Cannot read/.test(l.text)),
          20_000,
          () => fault.logger.all().slice(0, 500),
        );
        const statsError = await within(
          30_000,
          'statistics',
          broker.getStreamStatistics('secret-stream'),
        ).then(
          () => null,
          (e: unknown) => e,
        );
        const texts = [exposed(publishError), exposed(statsError), fault.logger.all()];
        report(`security redis (${kind})`, {
          errors: 2,
          logLines: fault.logger.lines.length,
          leaks: texts.filter((t) => t.includes(password)).length,
          publishError: publishError instanceof Error ? publishError.message.slice(0, 60) : 'none',
        });
        expect(publishError).not.toBeNull();
        expect(texts[2], 'the application log').not.toContain(password);
        expect(texts[0], 'the error publish() rejected with').not.toContain(password);
        expect(texts[1], 'the error getStreamStatistics() rejected with').not.toContain(password);
      } finally {
        await fault.close();
        await own?.destroy();
      }
    },
  );

  it('MySQL: a URL with a password pointing at a closed port, a wrong password, a malformed URL', async () => {
    const port = await freePort();
    const attempts = [
      `mysql://root:${password}@127.0.0.1:${port}/test`,
      `mysql://root:${password}@127.0.0.1:3306/test`, // wrong password on the real server
      `mysql://root:${password}@[::1/test`, // malformed
      `mysql://root:${encodeURIComponent(`${password}/?#@`)}@127.0.0.1:${port}/test`,
    ];
    const texts: string[] = [];
    for (const url of attempts) {
      const error = await within(
        20_000,
        'MysqlEventStore.create',
        MysqlEventStore.create({ url, connectTimeoutMs: 2_000 }),
      ).then(
        async (store) => {
          await store.close();
          return null;
        },
        (e: unknown) => e,
      );
      expect(error, url).not.toBeNull();
      texts.push(exposed(error));
    }
    // The same through Nest: bootstrap fails, and whatever Nest logs must not show it either.
    const bootstrap = await startFaultApp({
      flux: { eventStore: { type: 'mysql', url: attempts[0] } },
    }).then(
      async (f) => {
        await f.close();
        return null;
      },
      (e: unknown) => e,
    );
    texts.push(exposed(bootstrap));
    report('security mysql', {
      urls: attempts.length,
      leaks: texts.filter((t) => t.includes(password)).length,
    });
    for (const text of texts) expect(text).not.toContain(password);
    expect(texts.join('\n')).not.toContain(encodeURIComponent(password));
  });
});

describe('security: Lua scripts take keys and arguments only as parameters', () => {
  const files = walk(SRC).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
  const luaFiles = files.filter((f) => f.endsWith('.lua.ts'));

  it('every script is one constant template literal with no interpolation or concatenation', () => {
    expect(luaFiles.length).toBeGreaterThanOrEqual(4);
    for (const file of luaFiles) {
      const source = readFileSync(file, 'utf8');
      const scripts = [...source.matchAll(/export const (\w+) = `([\s\S]*?)`(\s*[;+.])/g)];
      expect(scripts.length, file).toBeGreaterThan(0);
      for (const [, name, body, after] of scripts) {
        expect(body, `${file} ${name}`).not.toContain('${');
        expect(after.trim(), `${file} ${name} is concatenated`).toBe(';');
        // Keys come from KEYS (a loop may walk them), never indexed by an argument.
        expect(body, `${file} ${name}`).toMatch(/KEYS\[1\]/);
        expect(body, `${file} ${name}`).not.toMatch(/KEYS\[[^\]]*ARGV/);
      }
    }
  });

  it('every EVAL and defineCommand passes a script constant, never a built string', () => {
    const calls: string[] = [];
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/\.(eval|evalsha)\(\s*([^,]+),/g)) {
        calls.push(`${file}: ${match[2]}`);
        expect(match[2].trim(), file).toMatch(/^[A-Z][A-Z0-9_]*$/);
      }
      for (const match of source.matchAll(/defineCommand\(\s*([^,]+),\s*\{([^}]*)\}/g)) {
        calls.push(`${file}: defineCommand ${match[2]}`);
        expect(match[2], file).toMatch(/numberOfKeys:\s*\d+/);
        expect(match[2], file).toMatch(/lua\b/);
      }
      // Inline scripts outside *.lua.ts (e.g. the relay lock) follow the same rule.
      for (const match of source.matchAll(/const ([A-Z][A-Z0-9_]*) = `([^`]*redis\.call[^`]*)`/g)) {
        expect(match[2], `${file} ${match[1]}`).not.toContain('${');
      }
    }
    report('security lua', { scriptFiles: luaFiles.length, evalCalls: calls.length });
    expect(calls.length).toBeGreaterThan(0);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
