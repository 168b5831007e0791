import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DEFAULT_TABLE_PREFIX } from '../mysql-event-store.options.js';
import { assertValidTablePrefix } from '../mysql-schema.js';
import { ensureFluxMeta, fluxMetaTableName } from '../mysql-store-identity.js';

const TIMESTAMP = 1796096000000;

/**
 * Builds the migration adding the store identity table (`<prefix>meta`) for a table prefix.
 * Run it after `CreateFluxTables`; each prefix gets its own (`CreateFluxMeta_<prefix>1796096000000`).
 * Without it the store creates the table on the first `storeId()` call, which needs DDL rights.
 */
export function createFluxMetaMigration(
  prefix = DEFAULT_TABLE_PREFIX,
): new () => MigrationInterface {
  assertValidTablePrefix(prefix);
  const name =
    prefix === DEFAULT_TABLE_PREFIX
      ? `CreateFluxMeta${TIMESTAMP}`
      : `CreateFluxMeta_${prefix}${TIMESTAMP}`;
  return class implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      await ensureFluxMeta(prefix, (sql) => queryRunner.query(sql));
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP TABLE IF EXISTS ${fluxMetaTableName(prefix)}`);
    }
  };
}

/** Adds the store identity table with the default `flux_` prefix. */
export const CreateFluxMeta1796096000000 = createFluxMetaMigration();
