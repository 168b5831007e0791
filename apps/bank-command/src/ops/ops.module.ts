import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { FluxBoardModule, FluxHealthModule, FluxMetricsModule } from 'nestjs-flux';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { AdminTokenGuard } from './admin-token.guard.js';
import { HealthController, OPS_OPTIONS, type OpsOptions } from './health.controller.js';
import { createMetricsController } from './metrics.controller.js';

/** What an operator needs: `/metrics`, `/health` and the admin board at `/flux`. */
@Module({})
export class OpsModule {
  static forRoot(options: OpsOptions): DynamicModule {
    // A registry per application, so tests that start several apps never share metrics.
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    return {
      module: OpsModule,
      imports: [
        TerminusModule,
        FluxHealthModule,
        FluxMetricsModule.forRoot({ registry }),
        FluxBoardModule.forRoot({ path: 'flux', guards: [AdminTokenGuard] }),
      ],
      controllers: [createMetricsController(registry), HealthController],
      providers: [AdminTokenGuard, { provide: OPS_OPTIONS, useValue: options }],
    };
  }
}
