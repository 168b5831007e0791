import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { AdminTokenGuard } from './admin-token.guard.js';

/** Prometheus scrape endpoint for the registry the library's metrics are registered on. */
export function createMetricsController(registry: Registry) {
  @Controller('metrics')
  @UseGuards(AdminTokenGuard)
  class MetricsController {
    @Get()
    @Header('Content-Type', registry.contentType)
    metrics(): Promise<string> {
      return registry.metrics();
    }
  }
  return MetricsController;
}
