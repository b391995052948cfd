import { Migration } from '@mikro-orm/migrations';

/**
 * The learning loop's evaluation half (issue 12): model versions and their
 * deployment history, evaluation datasets with immutable versions, evaluation
 * runs and per-case results, and an `evaluation` flag on provider_usage.
 *
 * Every tenant gets model version 1 (active) when it is created, whatever
 * creates it (seed, control plane, tests): a trigger on tenant does it, and
 * existing tenants get theirs here. Version 1 follows the tenant's settings.
 * The usage rollup leaves evaluation rows out, so customer cost analytics
 * never count them.
 */
export class Migration20261201150000LearningEvaluation extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "model_version" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "number" int not null, "status" varchar(255) not null default 'draft', "tier_models" jsonb not null, "system_prompt" text null, "retrieval_k" int not null default 3, "retrieval_min_score" double precision not null default 0.3, "offline_model_artifact_id" varchar(255) null, "parent_version_id" uuid null, "notes" text not null default '', "created_by" varchar(255) null, "evaluated_at" timestamptz null, "activated_at" timestamptz null, "retired_at" timestamptz null, "updated_at" timestamptz not null, constraint "model_version_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create unique index "model_version_one_active_per_tenant" on "model_version" ("tenant_id") where "status" = 'active';`,
    );
    this.addSql(
      `alter table "model_version" add constraint "model_version_tenant_id_number_unique" unique ("tenant_id", "number");`,
    );
    this.addSql(
      `create table "evaluation_dataset" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "name" varchar(255) not null, "description" text not null default '', "latest_version_number" int not null default 0, "updated_at" timestamptz not null, constraint "evaluation_dataset_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "evaluation_dataset" add constraint "evaluation_dataset_tenant_id_name_unique" unique ("tenant_id", "name");`,
    );
    this.addSql(
      `create table "evaluation_case" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "dataset_id" uuid not null, "context" jsonb not null, "input" text not null, "expected_reply" text not null, "expected_topic" varchar(255) null, "expect_handoff" boolean not null default false, "source" varchar(255) not null, "source_ref" varchar(255) null, "provenance" jsonb null, constraint "evaluation_case_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "evaluation_case_dataset_id_created_at_index" on "evaluation_case" ("dataset_id", "created_at");`,
    );
    this.addSql(
      `create table "deployment_event" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "model_version_id" uuid not null, "action" varchar(255) not null, "from_status" varchar(255) null, "to_status" varchar(255) not null, "actor" varchar(255) not null, "reason" text null, "details" jsonb null, constraint "deployment_event_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "deployment_event_model_version_id_created_at_index" on "deployment_event" ("model_version_id", "created_at");`,
    );
    this.addSql(
      `create index "deployment_event_tenant_id_created_at_index" on "deployment_event" ("tenant_id", "created_at");`,
    );
    this.addSql(
      `create table "dataset_version" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "dataset_id" uuid not null, "number" int not null, "case_ids" jsonb not null, "case_count" int not null, "change" text not null default '', "parent_version_id" uuid null, "created_by" varchar(255) not null, constraint "dataset_version_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "dataset_version" add constraint "dataset_version_dataset_id_number_unique" unique ("dataset_id", "number");`,
    );
    this.addSql(
      `create table "evaluation_run" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "model_version_id" uuid not null, "dataset_version_id" uuid not null, "baseline_run_id" uuid null, "status" varchar(255) not null default 'running', "case_count" int not null, "completed_cases" int not null default 0, "metrics" jsonb null, "verdict" varchar(255) null, "reasons" jsonb not null, "thresholds" jsonb null, "gating" boolean not null default false, "started_by" varchar(255) not null, "finished_at" timestamptz null, "error" text null, constraint "evaluation_run_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "evaluation_run_model_version_id_dataset_version_id_index" on "evaluation_run" ("model_version_id", "dataset_version_id");`,
    );
    this.addSql(
      `create index "evaluation_run_tenant_id_created_at_index" on "evaluation_run" ("tenant_id", "created_at");`,
    );
    this.addSql(
      `create table "evaluation_result" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "run_id" uuid not null, "evaluation_case_id" uuid not null, "reply_text" text not null, "provider" varchar(255) not null, "model" varchar(255) not null, "handed_off" boolean not null, "predicted_topic" varchar(255) null, "latency_ms" int not null, "cost_usd" double precision not null, "sentence_bleu" double precision not null, "rouge1" double precision not null, "rouge2" double precision not null, "rouge_l" double precision not null, "exact_match" boolean not null, "error" text null, constraint "evaluation_result_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "evaluation_result_run_id_created_at_index" on "evaluation_result" ("run_id", "created_at");`,
    );
    this.addSql(
      `alter table "model_version" add constraint "model_version_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "model_version" add constraint "model_version_parent_version_id_foreign" foreign key ("parent_version_id") references "model_version" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "evaluation_dataset" add constraint "evaluation_dataset_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "evaluation_case" add constraint "evaluation_case_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "evaluation_case" add constraint "evaluation_case_dataset_id_foreign" foreign key ("dataset_id") references "evaluation_dataset" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "deployment_event" add constraint "deployment_event_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "deployment_event" add constraint "deployment_event_model_version_id_foreign" foreign key ("model_version_id") references "model_version" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "dataset_version" add constraint "dataset_version_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "dataset_version" add constraint "dataset_version_dataset_id_foreign" foreign key ("dataset_id") references "evaluation_dataset" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "dataset_version" add constraint "dataset_version_parent_version_id_foreign" foreign key ("parent_version_id") references "dataset_version" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "evaluation_run" add constraint "evaluation_run_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "evaluation_run" add constraint "evaluation_run_model_version_id_foreign" foreign key ("model_version_id") references "model_version" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "evaluation_run" add constraint "evaluation_run_dataset_version_id_foreign" foreign key ("dataset_version_id") references "dataset_version" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "evaluation_run" add constraint "evaluation_run_baseline_run_id_foreign" foreign key ("baseline_run_id") references "evaluation_run" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "evaluation_result" add constraint "evaluation_result_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "evaluation_result" add constraint "evaluation_result_run_id_foreign" foreign key ("run_id") references "evaluation_run" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "evaluation_result" add constraint "evaluation_result_evaluation_case_id_foreign" foreign key ("evaluation_case_id") references "evaluation_case" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(`alter table "provider_usage" add column "evaluation" boolean not null default false;`);

    this.addSql(`create function "model_version_for_new_tenant"() returns trigger language plpgsql as $$
      declare version_id uuid := gen_random_uuid();
      begin
        insert into model_version (id, tenant_id, created_at, number, status, tier_models, system_prompt, retrieval_k, retrieval_min_score,
          notes, created_by, activated_at, updated_at)
        values (version_id, new.id, now(), 1, 'active', '{}'::jsonb, null, 3, 0.3,
          'Version 1: the tenant''s own settings (system prompt and routing).', 'system:tenant-created', now(), now());
        insert into deployment_event (id, tenant_id, created_at, model_version_id, action, from_status, to_status, actor, reason)
        values (gen_random_uuid(), new.id, now(), version_id, 'activated', null, 'active', 'system:tenant-created', 'every tenant starts with version 1');
        return null;
      end $$;`);
    this.addSql(
      `create trigger "tenant_model_version_1" after insert on "tenant" for each row execute function "model_version_for_new_tenant"();`,
    );
    this.addSql(`with created as (
        insert into model_version (id, tenant_id, created_at, number, status, tier_models, system_prompt, retrieval_k, retrieval_min_score,
          notes, created_by, activated_at, updated_at)
        select gen_random_uuid(), t.id, now(), 1, 'active', '{}'::jsonb, null, 3, 0.3,
          'Version 1: the tenant''s own settings (system prompt and routing).', 'system:migration', now(), now()
        from tenant t where not exists (select 1 from model_version v where v.tenant_id = t.id)
        returning id, tenant_id)
      insert into deployment_event (id, tenant_id, created_at, model_version_id, action, from_status, to_status, actor, reason)
      select gen_random_uuid(), tenant_id, now(), id, 'activated', null, 'active', 'system:migration', 'every tenant starts with version 1' from created;`);

    // Evaluation usage stays out of the customer cost rollup.
    this.addSql(`create or replace function "provider_usage_rollup_add"() returns trigger language plpgsql as $$
      begin
        insert into provider_usage_rollup as r (tenant_id, day, provider, model, calls, failed_calls, input_tokens, cached_input_tokens, output_tokens,
          total_tokens, cost_usd, ok_uncached_tokens, ok_cached_tokens, ok_output_tokens)
        select n.tenant_id, (n.created_at at time zone 'UTC')::date, n.provider, n.model, count(*), count(*) filter (where not n.success),
          sum(n.input_tokens), sum(n.cached_input_tokens), sum(n.output_tokens), sum(n.total_tokens), sum(n.estimated_cost_usd),
          coalesce(sum(greatest(n.input_tokens - n.cached_input_tokens, 0)) filter (where n.success), 0),
          coalesce(sum(least(n.cached_input_tokens, n.input_tokens)) filter (where n.success), 0),
          coalesce(sum(n.output_tokens) filter (where n.success), 0)
        from inserted n where not n.evaluation group by 1, 2, 3, 4
        order by 1, 2, 3, 4
        on conflict (tenant_id, day, provider, model) do update set
          calls = r.calls + excluded.calls, failed_calls = r.failed_calls + excluded.failed_calls,
          input_tokens = r.input_tokens + excluded.input_tokens, cached_input_tokens = r.cached_input_tokens + excluded.cached_input_tokens,
          output_tokens = r.output_tokens + excluded.output_tokens, total_tokens = r.total_tokens + excluded.total_tokens,
          cost_usd = r.cost_usd + excluded.cost_usd, ok_uncached_tokens = r.ok_uncached_tokens + excluded.ok_uncached_tokens,
          ok_cached_tokens = r.ok_cached_tokens + excluded.ok_cached_tokens, ok_output_tokens = r.ok_output_tokens + excluded.ok_output_tokens;
        return null;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`create or replace function "provider_usage_rollup_add"() returns trigger language plpgsql as $$
      begin
        insert into provider_usage_rollup as r (tenant_id, day, provider, model, calls, failed_calls, input_tokens, cached_input_tokens, output_tokens,
          total_tokens, cost_usd, ok_uncached_tokens, ok_cached_tokens, ok_output_tokens)
        select n.tenant_id, (n.created_at at time zone 'UTC')::date, n.provider, n.model, count(*), count(*) filter (where not n.success),
          sum(n.input_tokens), sum(n.cached_input_tokens), sum(n.output_tokens), sum(n.total_tokens), sum(n.estimated_cost_usd),
          coalesce(sum(greatest(n.input_tokens - n.cached_input_tokens, 0)) filter (where n.success), 0),
          coalesce(sum(least(n.cached_input_tokens, n.input_tokens)) filter (where n.success), 0),
          coalesce(sum(n.output_tokens) filter (where n.success), 0)
        from inserted n group by 1, 2, 3, 4
        order by 1, 2, 3, 4
        on conflict (tenant_id, day, provider, model) do update set
          calls = r.calls + excluded.calls, failed_calls = r.failed_calls + excluded.failed_calls,
          input_tokens = r.input_tokens + excluded.input_tokens, cached_input_tokens = r.cached_input_tokens + excluded.cached_input_tokens,
          output_tokens = r.output_tokens + excluded.output_tokens, total_tokens = r.total_tokens + excluded.total_tokens,
          cost_usd = r.cost_usd + excluded.cost_usd, ok_uncached_tokens = r.ok_uncached_tokens + excluded.ok_uncached_tokens,
          ok_cached_tokens = r.ok_cached_tokens + excluded.ok_cached_tokens, ok_output_tokens = r.ok_output_tokens + excluded.ok_output_tokens;
        return null;
      end $$;`);
    this.addSql('drop trigger if exists "tenant_model_version_1" on "tenant";');
    this.addSql('drop function if exists "model_version_for_new_tenant"();');
    this.addSql('alter table "provider_usage" drop column if exists "evaluation";');
    for (const table of [
      'evaluation_result',
      'evaluation_run',
      'dataset_version',
      'evaluation_case',
      'evaluation_dataset',
      'deployment_event',
      'model_version',
    ]) {
      this.addSql(`drop table if exists "${table}" cascade;`);
    }
  }
}
