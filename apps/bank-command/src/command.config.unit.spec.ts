import { describe, expect, it } from 'vitest';
import { eventStoreOptions, loadCommandConfig } from './command.config.js';

describe('loadCommandConfig', () => {
  it('picks the event store from EVENT_STORE_URL, else MYSQL_URL, else memory', () => {
    expect(loadCommandConfig({}).eventStoreUrl).toBeUndefined();
    expect(loadCommandConfig({ MYSQL_URL: 'mysql://root@h/db' }).eventStoreUrl).toBe(
      'mysql://root@h/db',
    );
    expect(
      loadCommandConfig({ MYSQL_URL: 'mysql://root@h/db', EVENT_STORE_URL: 'postgres://p@h/db' })
        .eventStoreUrl,
    ).toBe('postgres://p@h/db');
  });

  it('maps the URL scheme to the store type, refusing others by name', () => {
    expect(eventStoreOptions(undefined)).toEqual({ type: 'memory' });
    expect(eventStoreOptions('postgresql://p@h/db', 'bank_')).toEqual({
      type: 'postgres',
      url: 'postgresql://p@h/db',
      synchronize: true,
      tablePrefix: 'bank_',
    });
    expect(eventStoreOptions('mariadb://r@h/db')).toMatchObject({ type: 'mysql' });
    expect(() => eventStoreOptions('redis://h')).toThrow(/EVENT_STORE_URL must start with/);
  });
});
