import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { FluxHealthIndicator } from 'nestjs-flux';

export const OPS_OPTIONS = Symbol('bank:ops_options');
export interface OpsOptions {
  withRedis: boolean;
}

/** Liveness of the command service: its store, Redis when configured, and the relay's lag. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly flux: FluxHealthIndicator,
    @Inject(OPS_OPTIONS) private readonly options: OpsOptions,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.flux.eventStore(),
      ...(this.options.withRedis ? [() => this.flux.redis(), () => this.flux.relayLag()] : []),
    ]);
  }
}
