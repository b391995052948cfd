import { Migration } from '@mikro-orm/migrations';

/** Alerts remember which notifiers failed (retried on the next evaluation) and link to their runbook. */
export class Migration20261201170000AlertDeliveryRetries extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "alert" add column "notify_failed" jsonb not null default '[]', add column "runbook_url" text null;`,
    );
    // The default only fills existing rows; the entity sets the value, as for notification_refs.
    this.addSql(`alter table "alert" alter column "notify_failed" drop default;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "alert" drop column "notify_failed", drop column "runbook_url";`);
  }
}
