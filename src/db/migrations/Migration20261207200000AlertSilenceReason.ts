import { Migration } from '@mikro-orm/migrations';

/** Issue 16: the console's Silence asks why; the reason is kept on the alert until it is un-silenced. */
export class Migration20261207200000AlertSilenceReason extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "alert" add column "silence_reason" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "alert" drop column "silence_reason";`);
  }
}
