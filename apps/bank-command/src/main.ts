import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module.js';
import { loadCommandConfig } from './command.config.js';

async function bootstrap(): Promise<void> {
  const config = loadCommandConfig();
  const app = await NestFactory.create(AppModule.forRoot(config));
  // SIGTERM/SIGINT close the app: the relay and the feed stop before the store closes.
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  // The demo and the end-to-end tests read the port from this line (PORT=0 picks a free one).
  new Logger('bank-command').log(`listening on http://${config.host}:${port}`);
}

void bootstrap();
