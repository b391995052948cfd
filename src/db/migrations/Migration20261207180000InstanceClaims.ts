import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 10 (items 2–4): service instances with heartbeats; message claims name
 * the instance holding them (a dead instance's claims are taken over within
 * seconds); a reply's next send attempt is scheduled in the database.
 */
export class Migration20261207180000InstanceClaims extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "service_instance" ("id" uuid not null, "started_at" timestamptz not null, "heartbeat_at" timestamptz not null, "description" varchar(255) not null, constraint "service_instance_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "message" add column "claimed_by" uuid null, add column "next_attempt_at" timestamptz null;`,
    );
    this.addSql(
      `create index "message_pending_outbound_index" on "message" ("created_at") where "direction" = 'outbound' and "delivery_status" = 'pending';`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "message_pending_outbound_index";`);
    this.addSql(`alter table "message" drop column "claimed_by", drop column "next_attempt_at";`);
    this.addSql(`drop table if exists "service_instance" cascade;`);
  }
}
