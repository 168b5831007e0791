import { describe, expect, it } from 'vitest';
import { isRedirection } from './cluster-redirection.js';

describe('isRedirection', () => {
  it('recognises the replies a moving slot or a failover gives', () => {
    for (const message of [
      'MOVED 3999 127.0.0.1:7002',
      'ASK 3999 127.0.0.1:7002',
      'TRYAGAIN Multiple keys request during rehashing of slot',
      'CLUSTERDOWN The cluster is down',
    ]) {
      expect(isRedirection(new Error(message)), message).toBe(true);
    }
  });

  it('leaves every other failure to the caller', () => {
    expect(isRedirection(new Error('Connection is closed.'))).toBe(false);
    expect(isRedirection(new Error('WRONGTYPE Operation against a key'))).toBe(false);
    expect(isRedirection('MOVED 1 x:1')).toBe(false);
    expect(isRedirection(undefined)).toBe(false);
  });
});
