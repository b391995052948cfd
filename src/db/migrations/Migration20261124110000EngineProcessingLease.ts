import { Migration } from '@mikro-orm/migrations';

/**
 * The conversation engine's claims: when a worker took an inbound message (so a
 * crashed worker's claim can expire), and at most one open conversation per
 * contact (so two first messages racing cannot open two conversations).
 */
export class Migration20261124110000EngineProcessingLease extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "message" add column "processing_started_at" timestamptz null;`);
    this.addSql(
      `create index "message_processing_started_at_index" on "message" ("processing_started_at") where "delivery_status" = 'processing';`,
    );
    this.addSql(
      `create unique index "conversation_one_open_per_contact" on "conversation" ("contact_id") where "status" <> 'closed';`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "conversation_one_open_per_contact";`);
    this.addSql(`drop index if exists "message_processing_started_at_index";`);
    this.addSql(`alter table "message" drop column if exists "processing_started_at";`);
  }
}
