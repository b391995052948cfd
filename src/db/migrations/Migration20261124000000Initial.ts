import { Migration } from '@mikro-orm/migrations';

/** The first schema: tenants, conversations, interactions, usage, feedback, corrections, keys, audit. */
export class Migration20261124000000Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "tenant" ("id" uuid not null, "name" varchar(255) not null, "settings" jsonb not null, "encrypted_secrets" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "tenant_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "tenant" add constraint "tenant_name_unique" unique ("name");`);
    this.addSql(
      `create table "provider_usage" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "interaction_id" uuid null, "provider" varchar(255) not null, "model" varchar(255) not null, "input_tokens" int not null default 0, "cached_input_tokens" int not null default 0, "output_tokens" int not null default 0, "total_tokens" int not null default 0, "estimated_cost_usd" double precision not null default 0, "latency_ms" int not null, "success" boolean not null, "error_code" varchar(255) null, "failover" boolean not null default false, "routing_reason" text null, "complexity" double precision null, constraint "provider_usage_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "provider_usage_interaction_id_index" on "provider_usage" ("interaction_id");`);
    this.addSql(`create index "provider_usage_created_at_index" on "provider_usage" ("created_at");`);
    this.addSql(
      `create index "provider_usage_tenant_id_provider_model_created_at_index" on "provider_usage" ("tenant_id", "provider", "model", "created_at");`,
    );
    this.addSql(
      `create index "provider_usage_tenant_id_created_at_index" on "provider_usage" ("tenant_id", "created_at");`,
    );
    this.addSql(
      `create table "provider_daily_summary" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "day" date not null, "provider" varchar(255) not null, "model" varchar(255) not null, "calls" int not null, "successes" int not null, "failures" int not null, "input_tokens" bigint not null, "output_tokens" bigint not null, "total_tokens" bigint not null, "cost_usd" double precision not null, "latency_p50_ms" double precision not null, "latency_p95_ms" double precision not null, "latency_p99_ms" double precision not null, "failover_count" int not null, constraint "provider_daily_summary_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "provider_daily_summary_tenant_id_day_index" on "provider_daily_summary" ("tenant_id", "day");`,
    );
    this.addSql(
      `alter table "provider_daily_summary" add constraint "provider_daily_summary_tenant_id_day_provider_model_unique" unique ("tenant_id", "day", "provider", "model");`,
    );
    this.addSql(
      `create table "contact" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "channel" varchar(255) not null, "external_id" varchar(255) not null, "display_name" varchar(255) null, "feedback_opt_out" boolean not null default false, constraint "contact_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "contact" add constraint "contact_tenant_id_channel_external_id_unique" unique ("tenant_id", "channel", "external_id");`,
    );
    this.addSql(
      `create table "conversation" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "contact_id" uuid not null, "channel" varchar(255) not null, "status" text check ("status" in ('bot', 'handed_off', 'closed')) not null default 'bot', "handoff_reason" text null, "handed_off_at" timestamptz null, "started_at" timestamptz not null, "last_activity_at" timestamptz not null, "closed_at" timestamptz null, constraint "conversation_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "conversation_contact_id_status_index" on "conversation" ("contact_id", "status");`);
    this.addSql(
      `create index "conversation_tenant_id_last_activity_at_index" on "conversation" ("tenant_id", "last_activity_at");`,
    );
    this.addSql(
      `create table "message" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "conversation_id" uuid not null, "channel" varchar(255) not null, "direction" text check ("direction" in ('inbound', 'outbound')) not null, "author" varchar(255) not null default 'customer', "kind" varchar(255) not null default 'text', "text" text not null, "channel_message_id" varchar(255) null, "delivery_status" varchar(255) null, "delivery_error" text null, "processed_at" timestamptz null, "payload" jsonb null, constraint "message_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "message_tenant_id_created_at_index" on "message" ("tenant_id", "created_at");`);
    this.addSql(
      `create index "message_conversation_id_created_at_index" on "message" ("conversation_id", "created_at");`,
    );
    this.addSql(
      `create index "message_unprocessed_inbound_index" on "message" ("created_at") where "direction" = 'inbound' and "processed_at" is null;`,
    );
    this.addSql(
      `alter table "message" add constraint "message_channel_channel_message_id_unique" unique ("channel", "channel_message_id");`,
    );
    this.addSql(
      `create table "audit_log" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "actor" varchar(255) not null, "action" varchar(255) not null, "target_type" varchar(255) not null, "target_id" varchar(255) null, "before" jsonb null, "after" jsonb null, constraint "audit_log_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "audit_log_tenant_id_created_at_index" on "audit_log" ("tenant_id", "created_at");`);
    this.addSql(
      `create table "api_key" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "name" varchar(255) not null, "prefix" varchar(255) not null, "key_hash" varchar(255) not null, "scopes" jsonb not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, constraint "api_key_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "api_key" add constraint "api_key_key_hash_unique" unique ("key_hash");`);
    this.addSql(`create index "api_key_tenant_id_created_at_index" on "api_key" ("tenant_id", "created_at");`);
    this.addSql(
      `create table "agent_interaction" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "conversation_id" uuid not null, "inbound_message_id" uuid not null, "reply_message_id" uuid null, "reply_text" text not null, "provider" varchar(255) not null, "model" varchar(255) not null, "complexity_score" double precision not null default 0, "routing_reason" text not null default '', "latency_ms" int not null default 0, "input_tokens" int not null default 0, "output_tokens" int not null default 0, "total_tokens" int not null default 0, "cost_usd" double precision not null default 0, "failover" boolean not null default false, "cache_hit" boolean not null default false, "model_version_id" varchar(255) null, "experiment_variant" varchar(255) null, "feedback_token" varchar(255) not null, constraint "agent_interaction_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "agent_interaction" add constraint "agent_interaction_feedback_token_unique" unique ("feedback_token");`,
    );
    this.addSql(
      `create index "agent_interaction_conversation_id_created_at_index" on "agent_interaction" ("conversation_id", "created_at");`,
    );
    this.addSql(
      `create index "agent_interaction_tenant_id_created_at_index" on "agent_interaction" ("tenant_id", "created_at");`,
    );
    this.addSql(
      `create table "interaction_feedback" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "interaction_id" uuid not null, "helpful" boolean null, "comment" text null, "source" varchar(255) null, "voted_at" timestamptz null, "history" jsonb not null, "continued_conversation" boolean not null default false, "completed_action" boolean not null default false, "requested_handoff" boolean not null default false, "response_time_ms" int null, "implicit_satisfaction" double precision null, "updated_at" timestamptz not null, constraint "interaction_feedback_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "interaction_feedback" add constraint "interaction_feedback_interaction_id_unique" unique ("interaction_id");`,
    );
    this.addSql(
      `create index "interaction_feedback_tenant_id_updated_at_index" on "interaction_feedback" ("tenant_id", "updated_at");`,
    );
    this.addSql(
      `create index "interaction_feedback_tenant_id_created_at_index" on "interaction_feedback" ("tenant_id", "created_at");`,
    );
    this.addSql(
      `create table "human_correction" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "interaction_id" uuid null, "customer_message" text null, "original_reply" text not null, "corrected_reply" text not null, "reason" text null, "category" varchar(255) not null default 'other', "status" text check ("status" in ('pending', 'approved', 'rejected')) not null default 'pending', "quality_score" smallint null, "author_id" varchar(255) not null, "author_name" varchar(255) null, "decided_by" varchar(255) null, "decided_at" timestamptz null, "rejection_reason" text null, "updated_at" timestamptz not null, constraint "human_correction_pkey" primary key ("id"), constraint human_correction_quality_score_range check (((quality_score >= 0) AND (quality_score <= 5))));`,
    );
    this.addSql(
      `create index "human_correction_tenant_id_created_at_index" on "human_correction" ("tenant_id", "created_at");`,
    );
    this.addSql(
      `create index "human_correction_tenant_id_status_created_at_index" on "human_correction" ("tenant_id", "status", "created_at");`,
    );
    this.addSql(
      `create table "knowledge_article" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "question" text not null, "answer" text not null, "topic" varchar(255) null, "source" varchar(255) not null default 'manual', "correction_id" uuid null, "active" boolean not null default true, "updated_at" timestamptz not null, constraint "knowledge_article_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "knowledge_article_tenant_id_active_index" on "knowledge_article" ("tenant_id", "active");`,
    );
    this.addSql(
      `alter table "provider_usage" add constraint "provider_usage_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "provider_daily_summary" add constraint "provider_daily_summary_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "contact" add constraint "contact_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "conversation" add constraint "conversation_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "conversation" add constraint "conversation_contact_id_foreign" foreign key ("contact_id") references "contact" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "message" add constraint "message_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "message" add constraint "message_conversation_id_foreign" foreign key ("conversation_id") references "conversation" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "audit_log" add constraint "audit_log_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "api_key" add constraint "api_key_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "agent_interaction" add constraint "agent_interaction_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "agent_interaction" add constraint "agent_interaction_conversation_id_foreign" foreign key ("conversation_id") references "conversation" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "agent_interaction" add constraint "agent_interaction_inbound_message_id_foreign" foreign key ("inbound_message_id") references "message" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "agent_interaction" add constraint "agent_interaction_reply_message_id_foreign" foreign key ("reply_message_id") references "message" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "interaction_feedback" add constraint "interaction_feedback_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "interaction_feedback" add constraint "interaction_feedback_interaction_id_foreign" foreign key ("interaction_id") references "agent_interaction" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "human_correction" add constraint "human_correction_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "human_correction" add constraint "human_correction_interaction_id_foreign" foreign key ("interaction_id") references "agent_interaction" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "knowledge_article" add constraint "knowledge_article_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "knowledge_article" add constraint "knowledge_article_correction_id_foreign" foreign key ("correction_id") references "human_correction" ("id") on update cascade on delete set null;`,
    );
  }
}
