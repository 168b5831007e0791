import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { FluxHealthIndicator } from './flux-health.indicator.js';

/** Provides `FluxHealthIndicator` for your terminus `HealthCheckService.check([...])` calls. */
@Module({
  imports: [TerminusModule],
  providers: [FluxHealthIndicator],
  exports: [FluxHealthIndicator],
})
export class FluxHealthModule {}
