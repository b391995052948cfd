import { Migration } from '@mikro-orm/migrations';

/** Slack modal submissions already acted on (replays and retries are idempotent across instances). */
export class Migration20261201100000SlackSubmissions extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "slack_submission" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "key" varchar(64) not null, constraint "slack_submission_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "slack_submission_tenant_id_created_at_index" on "slack_submission" ("tenant_id", "created_at");`,
    );
    this.addSql(`alter table "slack_submission" add constraint "slack_submission_key_unique" unique ("key");`);
    this.addSql(
      `alter table "slack_submission" add constraint "slack_submission_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "slack_submission";`);
  }
}
