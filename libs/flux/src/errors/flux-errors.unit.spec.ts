import { describe, expect, it } from 'vitest';
import { BatchFailedError } from './batch-failed.error.js';
import { FeedProtocolError } from './feed-protocol.error.js';
import { FluxError } from './flux.error.js';
import { IncompatiblePeerError } from './incompatible-peer.error.js';
import { InvalidStateError } from './invalid-state.error.js';
import { MessageTooLargeError } from './message-too-large.error.js';
import { PoisonMessageError } from './poison-message.error.js';

describe('FluxError subclasses', () => {
  it.each([
    [
      new BatchFailedError(new TypeError('bad')),
      'BATCH_FAILED',
      'BatchFailedError',
      'TypeError: bad',
    ],
    [new PoisonMessageError('no type tag'), 'POISON_MESSAGE', 'PoisonMessageError', 'no type tag'],
    [
      new MessageTooLargeError(40, 32),
      'MESSAGE_TOO_LARGE',
      'MessageTooLargeError',
      '40 bytes exceed maxBodyBytes (32)',
    ],
    [
      new IncompatiblePeerError('@msgpack/msgpack', 'has no X'),
      'INCOMPATIBLE_PEER',
      'IncompatiblePeerError',
      '@msgpack/msgpack has no X. Install the version range nestjs-flux declares for it.',
    ],
    [new InvalidStateError('started twice'), 'INVALID_STATE', 'InvalidStateError', 'started twice'],
    [
      new FeedProtocolError('offers no SSE stream', 'http://x/feed'),
      'FEED_PROTOCOL',
      'FeedProtocolError',
      'http://x/feed offers no SSE stream',
    ],
    [
      new FeedProtocolError('SSE line too long'),
      'FEED_PROTOCOL',
      'FeedProtocolError',
      'SSE line too long',
    ],
  ])('%s has a stable code, its class name and a message', (error, code, name, message) => {
    expect(error).toBeInstanceOf(FluxError);
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(error.message).toBe(message);
  });

  it('BatchFailedError keeps the failure as its cause', () => {
    const failure = new Error('boom');
    const error = new BatchFailedError(failure);
    expect(error.failure).toBe(failure);
    expect(error.cause).toBe(failure);
  });
});
