// A worker process for fault 1, run by `node` on the built library (`nestjs-flux` resolves to
// dist/ through the package's self-reference). It reads one batch as a consumerMany of the
// group, prints the ids it holds as one JSON line, and then never finishes the handler: the
// batch stays pending under its name until the parent SIGKILLs it.
import process from 'node:process';
import { EventBroker, RedisPools } from 'nestjs-flux';
// Internal to the library (not exported from 'nestjs-flux'): taken from the build directly.
import { StreamRegistry } from '../../../dist/libs/flux/src/broker/registry/stream-registry.js';

const { FAULT_REDIS_URL, FAULT_PREFIX, FAULT_STREAM, FAULT_GROUP, FAULT_COUNT } = process.env;
const pools = new RedisPools({ default: FAULT_REDIS_URL });
const registry = new StreamRegistry(pools, FAULT_PREFIX);
registry.register(FAULT_STREAM);
const broker = new EventBroker(registry, pools);
const consumer = await broker.consumerMany(FAULT_STREAM, { group: FAULT_GROUP });
await consumer.consume(Number(FAULT_COUNT), 5_000, async (events) => {
  const held = events.map((event) => event.unserialize().uid);
  process.stdout.write(`${JSON.stringify({ consumer: consumer.name, held })}\n`);
  await new Promise(() => undefined); // holds the batch until killed
});
