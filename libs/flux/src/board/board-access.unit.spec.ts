import 'reflect-metadata';
import { type CanActivate, type INestApplication, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { BoardNotGuardedError } from '../errors/board-not-guarded.error.js';
import { FluxModule } from '../module/flux.module.js';
import { FluxBoardModule } from './board.module.js';
import type { FluxBoardOptions } from './board.options.js';

/** Keeps warnings for assertions. */
class Captured implements LoggerService {
  readonly warnings: string[] = [];
  log = () => undefined;
  error = () => undefined;
  debug = () => undefined;
  verbose = () => undefined;
  warn = (message: unknown) => void this.warnings.push(String(message));
}

const apps: INestApplication[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function boot(board: FluxBoardOptions, feed?: { guards?: CanActivate[] }) {
  const moduleRef = await Test.createTestingModule({
    imports: [FluxModule.forRoot({ feed }), FluxBoardModule.forRoot(board)],
  }).compile();
  const logger = new Captured();
  const app = moduleRef.createNestApplication({ logger });
  apps.push(app);
  await app.init();
  return logger;
}

const allow: CanActivate = { canActivate: () => true };

describe('board and feed access', () => {
  it('refuses to start a board without guards, naming the options to set', async () => {
    const attempt = boot({ path: 'ops/flux' });
    await expect(attempt).rejects.toBeInstanceOf(BoardNotGuardedError);
    await expect(attempt).rejects.toThrow(
      /path: 'ops\/flux'.*no guards.*`guards: \[.*`public: true`/s,
    );
    await expect(boot({ guards: [] })).rejects.toMatchObject({ code: 'BOARD_NOT_GUARDED' });
  });

  it('starts a board declared public and warns about it at bootstrap', async () => {
    const logger = await boot({ path: 'flux', public: true }, { guards: [allow] });
    expect(logger.warnings).toEqual([expect.stringMatching(/board at \/flux is public/)]);
  });

  it('starts a guarded board without a warning', async () => {
    const logger = await boot({ guards: [allow] }, { guards: [allow] });
    expect(logger.warnings).toEqual([]);
  });

  it('warns when the HTTP feed is mounted without guards', async () => {
    const logger = await boot({ guards: [allow] }, {});
    expect(logger.warnings).toEqual([
      expect.stringMatching(/HTTP feed at \/events has no guards.*feed: \{ guards/),
    ]);
  });
});
