/**
 * Parts of the library that `nestjs-flux` does not export yet (workers, feed) are imported from
 * their folders here, in one place: once the root barrel exports them, point these at
 * 'nestjs-flux'. The alias maps 'nestjs-flux' to the same sources, so classes are identical.
 */
export {
  createWorkerProviders,
  StreamConsumer,
  StreamWorkers,
  deadLetterStreamOf,
} from '../../../libs/flux/src/workers/index.js';
export {
  FeedConsumer,
  FluxFeedModule,
  MemoryOffsetStore,
} from '../../../libs/flux/src/feed/index.js';
