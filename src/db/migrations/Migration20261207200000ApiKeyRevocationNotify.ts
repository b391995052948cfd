import { Migration } from '@mikro-orm/migrations';

/**
 * `parley_api_key_revoked` NOTIFY (payload: the key id) when a tenant key or
 * a platform key is revoked, re-scoped or deleted, whatever wrote it (GraphQL, the keys CLI, SQL by hand): every
 * instance drops its cached lookups of that key and of its console sessions
 * (schema/common/auth-cache.ts), so a revoked key stops working at once
 * everywhere rather than after the auth cache's lifetime.
 */
export class Migration20261207200000ApiKeyRevocationNotify extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace function parley_api_key_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('parley_api_key_revoked', coalesce(new.id, old.id)::text);
        return null;
      end $$;`);
    this.addSql(`create trigger parley_api_key_notify_update after update on "api_key" for each row
      when (old.revoked_at is distinct from new.revoked_at or old.scopes::text is distinct from new.scopes::text)
      execute function parley_api_key_notify();`);
    this.addSql(`create trigger parley_api_key_notify_delete after delete on "api_key" for each row
      execute function parley_api_key_notify();`);
    this.addSql(`create trigger parley_platform_api_key_notify_update after update on "platform_api_key" for each row
      when (old.revoked_at is distinct from new.revoked_at or old.scopes::text is distinct from new.scopes::text)
      execute function parley_api_key_notify();`);
    this.addSql(`create trigger parley_platform_api_key_notify_delete after delete on "platform_api_key" for each row
      execute function parley_api_key_notify();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists parley_api_key_notify_update on "api_key";`);
    this.addSql(`drop trigger if exists parley_api_key_notify_delete on "api_key";`);
    this.addSql(`drop trigger if exists parley_platform_api_key_notify_update on "platform_api_key";`);
    this.addSql(`drop trigger if exists parley_platform_api_key_notify_delete on "platform_api_key";`);
    this.addSql(`drop function if exists parley_api_key_notify();`);
  }
}
