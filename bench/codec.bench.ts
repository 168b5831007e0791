/**
 * The broker's body codec (`MessageCodec`: limits, `__proto__` check, 64-bit integers kept exact)
 * against @msgpack/msgpack's own reused Encoder/Decoder, on the benchmark event (its `at` field is
 * above 2^32, so every body carries a uint64) and on a body of Go-style uint64 ids.
 */
import { Decoder } from '@msgpack/msgpack';
import { MessageCodec } from '../libs/flux/src/broker/codec/message-codec.js';
import { alternate, BenchReport, BodyEncoder, benchEvent, scaled } from './support/index.js';

const BODIES = scaled(200_000, 2000);

function perSecondOf(run: () => void): number {
  const started = process.hrtime.bigint();
  run();
  return BODIES / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function main(): Promise<void> {
  const report = new BenchReport(
    'codec',
    'MessageCodec vs raw @msgpack/msgpack (reused instances)',
  );
  const codec = new MessageCodec();
  const raw = new BodyEncoder();
  const rawDecoder = new Decoder();
  const events = Array.from({ length: 1000 }, (_, i) => benchEvent(i));
  const ids = Array.from({ length: 1000 }, (_, i) => ({
    userId: 2n ** 63n + BigInt(i),
    orderId: 2n ** 40n + BigInt(i),
  }));
  const encoded = events.map((e) => raw.encode(e));
  const encodedIds = ids.map((e) => codec.encode(e));
  let sink = 0;
  const samples = await alternate({
    encodeLibrary: async () =>
      perSecondOf(() => {
        for (let i = 0; i < BODIES; i++) sink += codec.encode(events[i % 1000]).length;
      }),
    encodeRaw: async () =>
      perSecondOf(() => {
        for (let i = 0; i < BODIES; i++) sink += raw.encode(events[i % 1000]).length;
      }),
    decodeLibrary: async () =>
      perSecondOf(() => {
        for (let i = 0; i < BODIES; i++)
          sink += (codec.decode(encoded[i % 1000]) as object) ? 1 : 0;
      }),
    decodeRaw: async () =>
      perSecondOf(() => {
        for (let i = 0; i < BODIES; i++)
          sink += (rawDecoder.decode(encoded[i % 1000]) as object) ? 1 : 0;
      }),
    decodeUint64Ids: async () =>
      perSecondOf(() => {
        for (let i = 0; i < BODIES; i++)
          sink += (codec.decode(encodedIds[i % 1000]) as object) ? 1 : 0;
      }),
  });
  report.add({
    metric: 'encode',
    unit: 'bodies/s',
    library: samples.encodeLibrary,
    baseline: samples.encodeRaw,
    target: { kind: 'ratio', min: 0.9 },
  });
  report.add({
    metric: 'decode',
    unit: 'bodies/s',
    library: samples.decodeLibrary,
    baseline: samples.decodeRaw,
    target: { kind: 'ratio', min: 0.8 },
  });
  report.add({
    metric: 'decode, 2 uint64 ids beyond 2^53 (bigint)',
    unit: 'bodies/s',
    library: samples.decodeUint64Ids,
    note: 'no raw equivalent: the raw decoder rounds them',
  });
  if (sink < 0) console.log(sink);
  await report.finish();
}

void main();
