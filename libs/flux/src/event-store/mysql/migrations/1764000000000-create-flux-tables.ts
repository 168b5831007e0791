import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DEFAULT_TABLE_PREFIX } from '../mysql-event-store.options.js';
import { assertValidTablePrefix, dropFluxTablesSql, ensureFluxTables } from '../mysql-schema.js';

const TIMESTAMP = 1764000000000;

/**
 * Builds the migration for a table prefix. TypeORM identifies migrations by name, so each
 * prefix gets its own (`CreateFluxTables_<prefix>1764000000000`).
 */
export function createFluxTablesMigration(
  prefix = DEFAULT_TABLE_PREFIX,
): new () => MigrationInterface {
  assertValidTablePrefix(prefix);
  const name =
    prefix === DEFAULT_TABLE_PREFIX
      ? `CreateFluxTables${TIMESTAMP}`
      : `CreateFluxTables_${prefix}${TIMESTAMP}`;
  return class implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      await ensureFluxTables(prefix, (sql) => queryRunner.query(sql));
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      for (const sql of dropFluxTablesSql(prefix)) await queryRunner.query(sql);
    }
  };
}

/** Creates the event store tables with the default `flux_` prefix. */
export const CreateFluxTables1764000000000 = createFluxTablesMigration();
