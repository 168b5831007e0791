import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module.js';
import { loadReadConfig } from './read.config.js';

async function bootstrap(): Promise<void> {
  const config = loadReadConfig();
  const app = await NestFactory.create(AppModule.forRoot(config));
  // SIGTERM/SIGINT: consumers finish the event in hand before the stores close.
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  // The demo and the end-to-end tests read the port from this line (PORT=0 picks a free one).
  new Logger('bank-read').log(`listening on http://${config.host}:${port} (${config.mode} mode)`);
}

void bootstrap();
