/**
 * CPU cost of the tracing hooks per message, without Redis (so the machine's I/O noise stays
 * out): the broker publish hook and the worker's per-message hook, each wrapping an operation
 * that does nothing, timed for the no-op facade (`tracing: false`), the OpenTelemetry facade
 * without an SDK, and with an SDK whose exporter drops every span. Microseconds per message;
 * the difference to the no-op column is what tracing adds to each message.
 */
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  createFluxTracer,
  type FluxTracer,
  NOOP_FLUX_TRACER,
  type TracedMessage,
} from 'nestjs-flux';
import { alternate, BenchReport, scaled } from './support/index.js';

const CALLS = scaled(200_000, 2000);

const tags = { type: 'AccountCredited' };
const message: TracedMessage = {
  id: '1709136000000-0',
  stream: 'accounts',
  deliveryCount: 1,
  tag: (key) =>
    key === 'traceparent'
      ? '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
      : key === 'type'
        ? 'AccountCredited'
        : undefined,
};
const sent = async () => '1709136000000-0';
const handled = async () => undefined;

/** µs per message of `publish` + `process` through `tracer` (the hot paths call exactly these). */
function perMessage(tracer: FluxTracer) {
  return async () => {
    const start = performance.now();
    for (let i = 0; i < CALLS; i++) {
      if (tracer.enabled) {
        await tracer.publish('accounts', tags, sent);
        await tracer.process(message, 'read', handled);
      } else {
        await sent();
        await handled();
      }
    }
    return ((performance.now() - start) * 1000) / CALLS;
  };
}

async function main(): Promise<void> {
  const report = new BenchReport(
    'tracing-overhead',
    `${CALLS} publish + process hooks around no-op operations, µs per message`,
  );
  const off = NOOP_FLUX_TRACER;
  const on = await createFluxTracer('auto');
  const noSdk = await alternate({ off: perMessage(off), on: perMessage(on) }, { label: 'no SDK' });
  const provider = new BasicTracerProvider({
    spanProcessors: [
      new SimpleSpanProcessor({
        export: (_spans, done) => done({ code: 0 }),
        shutdown: async () => undefined,
      }),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  const sdk = await alternate({ off: perMessage(off), on: perMessage(on) }, { label: 'SDK' });
  await provider.shutdown();
  for (const [label, samples] of [
    ['no SDK', noSdk],
    ['SDK, no-op exporter', sdk],
  ] as const) {
    report.add({
      metric: `publish + process hooks, ${label} (library = on, baseline = off)`,
      unit: 'µs/msg',
      library: samples.on,
      baseline: samples.off,
      target: { kind: 'ratio', min: 0 },
    });
  }
  await report.finish({});
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
