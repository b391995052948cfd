import { Migration } from '@mikro-orm/migrations';

/** Posts parley made in a team workspace (Slack handoff, review and correction cards) and the alert state. */
export class Migration20261124140000WorkspacePostsAndAlerts extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "workspace_post" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "platform" varchar(255) not null default 'slack', "purpose" varchar(255) not null, "channel_id" varchar(255) not null, "post_id" varchar(255) not null, "conversation_id" uuid null, "interaction_id" uuid null, "correction_id" uuid null, "labels" jsonb not null, "assignee" varchar(255) null, "assigned_at" timestamptz null, "closed_at" timestamptz null, "updated_at" timestamptz not null, constraint "workspace_post_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "workspace_post" add constraint "workspace_post_platform_channel_id_post_id_unique" unique ("platform", "channel_id", "post_id");`,
    );
    this.addSql(
      `create index "workspace_post_tenant_id_purpose_conversation_id_index" on "workspace_post" ("tenant_id", "purpose", "conversation_id");`,
    );
    this.addSql(
      `create index "workspace_post_tenant_id_interaction_id_index" on "workspace_post" ("tenant_id", "interaction_id");`,
    );
    this.addSql(`create index "workspace_post_correction_id_index" on "workspace_post" ("correction_id");`);
    this.addSql(
      `alter table "workspace_post" add constraint "workspace_post_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "workspace_post" add constraint "workspace_post_conversation_id_foreign" foreign key ("conversation_id") references "conversation" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "workspace_post" add constraint "workspace_post_interaction_id_foreign" foreign key ("interaction_id") references "agent_interaction" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "workspace_post" add constraint "workspace_post_correction_id_foreign" foreign key ("correction_id") references "human_correction" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `create table "alert" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "key" varchar(255) not null, "title" text not null, "severity" varchar(255) not null, "description" text null, "metric" varchar(255) null, "value" double precision null, "threshold" double precision null, "query" text null, "status" varchar(255) not null default 'firing', "fired_at" timestamptz not null, "last_seen_at" timestamptz not null, "resolved_at" timestamptz null, "notified_at" timestamptz null, "notify_count" int not null default 0, "notification_group" uuid null, "notification_group_started_at" timestamptz null, "notification_refs" jsonb not null, "notify_error" text null, "acknowledged_by" varchar(255) null, "acknowledged_at" timestamptz null, "silenced_until" timestamptz null, "silenced_by" varchar(255) null, "updated_at" timestamptz not null, constraint "alert_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "alert" add constraint "alert_tenant_id_key_unique" unique ("tenant_id", "key");`);
    this.addSql(`create index "alert_tenant_id_status_index" on "alert" ("tenant_id", "status");`);
    this.addSql(`create index "alert_notification_group_index" on "alert" ("notification_group");`);
    this.addSql(
      `alter table "alert" add constraint "alert_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "alert" cascade;`);
    this.addSql(`drop table if exists "workspace_post" cascade;`);
  }
}
