import { Migration } from '@mikro-orm/migrations';

/**
 * Operators without code: platform keys (tenants:manage), disabling a tenant,
 * and managed knowledge (normalised question, version, retirement,
 * supersession, revisions). Existing articles get their normalised question
 * (the SQL twin of src/knowledge/normalize.ts) and a first revision.
 */
export class Migration20261201120000OperatorsAndKnowledge extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "platform_api_key" ("id" uuid not null, "name" varchar(255) not null, "prefix" varchar(255) not null, "key_hash" varchar(255) not null, "scopes" jsonb not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, constraint "platform_api_key_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "platform_api_key" add constraint "platform_api_key_key_hash_unique" unique ("key_hash");`,
    );

    this.addSql(`alter table "tenant" add column "disabled_at" timestamptz null;`);

    this.addSql(
      `alter table "knowledge_article" add column "normalized_question" text not null default '', add column "version" int not null default 1, add column "retired_at" timestamptz null, add column "retired_reason" varchar(255) null, add column "superseded_by_id" uuid null;`,
    );
    this.addSql(
      `alter table "knowledge_article" add constraint "knowledge_article_superseded_by_id_foreign" foreign key ("superseded_by_id") references "knowledge_article" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `update "knowledge_article" set "normalized_question" = btrim(regexp_replace(lower("question"), '[^[:alnum:]]+', ' ', 'g')), "retired_at" = case when "active" then null else "updated_at" end, "retired_reason" = case when "active" then null else 'retired' end;`,
    );
    this.addSql(
      `create index "knowledge_article_tenant_id_normalized_question_index" on "knowledge_article" ("tenant_id", "normalized_question");`,
    );

    this.addSql(
      `create table "knowledge_article_revision" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "article_id" uuid not null, "version" int not null, "action" varchar(255) not null, "question" text not null, "answer" text not null, "topic" varchar(255) null, "active" boolean not null, "actor" varchar(255) not null, "note" text null, constraint "knowledge_article_revision_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "knowledge_article_revision_tenant_id_article_id_version_index" on "knowledge_article_revision" ("tenant_id", "article_id", "version");`,
    );
    this.addSql(
      `alter table "knowledge_article_revision" add constraint "knowledge_article_revision_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "knowledge_article_revision" add constraint "knowledge_article_revision_article_id_foreign" foreign key ("article_id") references "knowledge_article" ("id") on update cascade on delete cascade;`,
    );
    this
      .addSql(`insert into "knowledge_article_revision" ("id", "tenant_id", "created_at", "article_id", "version", "action", "question", "answer", "topic", "active", "actor", "note")
      select gen_random_uuid(), "tenant_id", "created_at", "id", 1, 'create', "question", "answer", "topic", "active", 'system:migration', 'existing before knowledge history' from "knowledge_article";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "knowledge_article_revision" cascade;`);
    this.addSql(`alter table "knowledge_article" drop constraint "knowledge_article_superseded_by_id_foreign";`);
    this.addSql(`drop index "knowledge_article_tenant_id_normalized_question_index";`);
    this.addSql(
      `alter table "knowledge_article" drop column "normalized_question", drop column "version", drop column "retired_at", drop column "retired_reason", drop column "superseded_by_id";`,
    );
    this.addSql(`alter table "tenant" drop column "disabled_at";`);
    this.addSql(`drop table if exists "platform_api_key" cascade;`);
  }
}
