import { migrate, pendingMigrations } from '../../../src/db/orm';
import { migrationsList } from '../../../src/db/migrations';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';

describe('migrations', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
  });
  afterAll(() => database.drop());

  it('bring an empty database up to the entities, and a second run does nothing', async () => {
    expect(await pendingMigrations(database.orm)).toEqual(migrationsList.map((migration) => migration.name));
    const applied = await migrate(database.orm);
    expect(applied).toEqual(migrationsList.map((migration) => migration.name));
    expect(await pendingMigrations(database.orm)).toEqual([]);
    expect(await migrate(database.orm)).toEqual([]);

    // The committed migrations must describe exactly what the entities declare.
    const diff = await database.orm.schema.getUpdateSchemaSQL({ wrap: false, safe: true });
    expect(diff.trim()).toBe('');
  });

  it('create the indexes BI queries rely on', async () => {
    const rows = await database.orm.em
      .getConnection()
      .execute<{ indexname: string }[]>(`select indexname from pg_indexes where schemaname = current_schema()`);
    const names = rows.map((row) => row.indexname);
    expect(names).toEqual(
      expect.arrayContaining([
        'agent_interaction_tenant_id_created_at_index',
        'provider_usage_tenant_id_created_at_index',
        'interaction_feedback_tenant_id_created_at_index',
        'message_channel_channel_message_id_unique',
      ]),
    );
  });
});
