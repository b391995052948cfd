import { Migration } from '@mikro-orm/migrations';

/** Slack modal submissions already acted on (replays and retries are idempotent across instances). */
export class Migration20261201100000SlackSubmissions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "slack_submission" ("key" varchar(64) not null, "created_at" timestamptz not null, constraint "slack_submission_pkey" primary key ("key"));`);
    this.addSql(`create index "slack_submission_created_at_index" on "slack_submission" ("created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "slack_submission";`);
  }
}
