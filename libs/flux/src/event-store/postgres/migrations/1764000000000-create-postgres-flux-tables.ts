import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DEFAULT_TABLE_PREFIX } from '../postgres-event-store.options.js';
import {
  assertValidLocation,
  dropPostgresTablesSql,
  ensurePostgresTables,
  type PostgresLocation,
} from '../postgres-schema.js';

const TIMESTAMP = 1764000000000;

/**
 * Builds the PostgreSQL migration for a table prefix and schema. TypeORM identifies migrations
 * by name, so each location gets its own (`CreatePostgresFluxTables_<schema>_<prefix>1764000000000`).
 * TypeORM runs it inside a transaction, which the DDL's advisory lock relies on.
 */
export function createPostgresFluxTablesMigration(
  location: Partial<PostgresLocation> = {},
): new () => MigrationInterface {
  const where: PostgresLocation = {
    tablePrefix: location.tablePrefix ?? DEFAULT_TABLE_PREFIX,
    schema: location.schema,
  };
  assertValidLocation(where);
  const suffix =
    (where.schema ? `_${where.schema}` : '') +
    (where.tablePrefix === DEFAULT_TABLE_PREFIX ? '' : `_${where.tablePrefix}`);
  const name = `CreatePostgresFluxTables${suffix}${TIMESTAMP}`;
  return class implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      await ensurePostgresTables(where, (sql) => queryRunner.query(sql));
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      for (const sql of dropPostgresTablesSql(where)) await queryRunner.query(sql);
    }
  };
}

/** Creates the PostgreSQL event store tables with the default `flux_` prefix. */
export const CreatePostgresFluxTables1764000000000 = createPostgresFluxTablesMigration();
