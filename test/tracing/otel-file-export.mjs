// `NODE_OPTIONS="--import <this file>"`, SPAN_FILE=<path>: registers an OpenTelemetry SDK in a
// sample service the way an application does (provider, async context, W3C propagation) and
// appends every finished span to SPAN_FILE as one JSON line, for the test to join across
// processes.
import { appendFileSync } from 'node:fs';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

const file = process.env.SPAN_FILE;
const exporter = {
  export(spans, done) {
    const lines = spans.map((span) =>
      JSON.stringify({
        name: span.name,
        kind: span.kind,
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        parentSpanId: span.parentSpanContext?.spanId,
        attributes: span.attributes,
        service: process.env.SPAN_SERVICE,
      }),
    );
    appendFileSync(file, lines.map((line) => `${line}\n`).join(''));
    done({ code: ExportResultCode.SUCCESS });
  },
  shutdown: async () => undefined,
};
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
);
