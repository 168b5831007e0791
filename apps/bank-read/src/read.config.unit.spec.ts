import { describe, expect, it } from 'vitest';
import { loadReadConfig } from './read.config.js';

describe('loadReadConfig', () => {
  it('defaults to the embedded setup: feed mode, memory', () => {
    expect(loadReadConfig({})).toMatchObject({
      mode: 'feed',
      port: 3001,
      commandUrl: 'http://127.0.0.1:3000',
      mysqlUrl: undefined,
      tablePrefix: 'bank_read_',
    });
  });

  it('refuses stream mode without Redis and unknown modes, naming the variable', () => {
    expect(() => loadReadConfig({ READ_MODE: 'stream' })).toThrow(
      /READ_MODE=stream needs REDIS_URL/,
    );
    expect(() => loadReadConfig({ READ_MODE: 'kafka' })).toThrow(/READ_MODE must be/);
    expect(() => loadReadConfig({ PORT: 'x' })).toThrow(/PORT must be/);
  });
});
