import { Migration } from '@mikro-orm/migrations';

/**
 * Handoffs worked without Slack: who has taken a handed-off conversation, and
 * a partial index for the queue of conversations waiting for a human (and the
 * idle-release job's scan), which only ever reads handed-off rows.
 */
export class Migration20261201130000HandoffDesk extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "conversation" add column "assignee" text null, add column "assigned_at" timestamptz null;`,
    );
    this.addSql(
      `create index "conversation_handoff_queue" on "conversation" ("tenant_id", "handed_off_at") where "status" = 'handed_off';`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "conversation_handoff_queue";`);
    this.addSql(`alter table "conversation" drop column "assignee", drop column "assigned_at";`);
  }
}
