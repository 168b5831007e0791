import { type INestApplicationContext, Module, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FluxModule, type FluxModuleOptions } from 'nestjs-flux';

export interface FluxAppExtras {
  /** Extra modules, e.g. `FluxModule.forFeature({ aggregates })`. */
  imports?: any[];
  /** Extra providers, e.g. `@StreamConsumer` classes. */
  providers?: Provider[];
}

/**
 * A standalone Nest application context (no HTTP server) with `FluxModule.forRoot(options)`.
 * Workers and relays start on `init()`, as in a service; close it with `app.close()`.
 */
export async function createFluxApp(
  options: FluxModuleOptions,
  extras: FluxAppExtras = {},
): Promise<INestApplicationContext> {
  @Module({
    imports: [FluxModule.forRoot(options), ...(extras.imports ?? [])],
    providers: extras.providers ?? [],
  })
  class BenchAppModule {}
  const app = await NestFactory.createApplicationContext(BenchAppModule, {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  await app.init();
  return app;
}
