import { Migration } from '@mikro-orm/migrations';

/** Business metrics (issue 15): completed actions (conversions) and end-of-conversation CSAT surveys. */
export class Migration20261207170000BusinessMetrics extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "conversion" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "conversation_id" uuid not null, "kind" varchar(255) not null, "value_usd" double precision null, "external_id" varchar(255) null, "occurred_at" timestamptz not null, constraint "conversion_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "conversion_tenant_id_occurred_at_index" on "conversion" ("tenant_id", "occurred_at");`);
    this.addSql(`create index "conversion_conversation_id_index" on "conversion" ("conversation_id");`);
    this.addSql(
      `alter table "conversion" add constraint "conversion_tenant_id_external_id_unique" unique ("tenant_id", "external_id");`,
    );
    this.addSql(
      `alter table "conversion" add constraint "conversion_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "conversion" add constraint "conversion_conversation_id_foreign" foreign key ("conversation_id") references "conversation" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `create table "csat_survey" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "conversation_id" uuid not null, "asked_at" timestamptz not null, "message_id" uuid null, "score" smallint null, "answered_at" timestamptz null, constraint "csat_survey_pkey" primary key ("id"), constraint csat_survey_score_range check ((score >= 1) AND (score <= 5)));`,
    );
    this.addSql(`create index "csat_survey_tenant_id_asked_at_index" on "csat_survey" ("tenant_id", "asked_at");`);
    this.addSql(
      `create index "csat_survey_conversation_id_asked_at_index" on "csat_survey" ("conversation_id", "asked_at");`,
    );
    this.addSql(
      `alter table "csat_survey" add constraint "csat_survey_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "csat_survey" add constraint "csat_survey_conversation_id_foreign" foreign key ("conversation_id") references "conversation" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "csat_survey" cascade;`);
    this.addSql(`drop table if exists "conversion" cascade;`);
  }
}
