import type { DynamicModule, INestApplication, Provider, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FluxModule, type FluxModuleOptions } from 'nestjs-flux';
import { CapturingLogger } from './logger.js';

export interface FaultAppOptions {
  flux: FluxModuleOptions;
  aggregates?: Type[];
  providers?: Provider[];
  /** The app has `@StreamConsumer` workers (FluxModule wires them; kept for readability). */
  workers?: boolean;
  /** Listen on a loopback port (needed for the feed). */
  http?: boolean;
  /** Feed server options beyond `flux.feed` (pollMs, heartbeatMs). */
  feed?: { pollMs?: number; heartbeatMs?: number };
}

export interface FaultApp {
  app: INestApplication;
  logger: CapturingLogger;
  /** `http://127.0.0.1:<port>` when `http` was set. */
  origin: string;
  close(): Promise<void>;
}

/**
 * A real Nest application with FluxModule. The parts FluxModule does not wire yet (the feed
 * controller, the stream workers) are added here when asked for and not already wired.
 */
export async function startFaultApp(options: FaultAppOptions): Promise<FaultApp> {
  // FluxModule wires the workers and, with `feed`, the feed's routes by itself.
  const flux = options.flux.feed
    ? { ...options.flux, feed: { ...options.flux.feed, ...options.feed } }
    : options.flux;
  const imports: NonNullable<DynamicModule['imports']> = [FluxModule.forRoot(flux)];
  if (options.aggregates?.length)
    imports.push(FluxModule.forFeature({ aggregates: options.aggregates }));
  const providers: Provider[] = [...(options.providers ?? [])];
  const moduleRef = await Test.createTestingModule({ imports, providers }).compile();
  const logger = new CapturingLogger();
  const app = moduleRef.createNestApplication({ logger, forceCloseConnections: true });
  let origin = '';
  if (options.http) {
    await app.listen(0, '127.0.0.1');
    origin = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  } else {
    await app.init();
  }
  let closed: Promise<void> | undefined;
  return {
    app,
    logger,
    origin,
    close: () => (closed ??= app.close().catch(() => undefined)),
  };
}
