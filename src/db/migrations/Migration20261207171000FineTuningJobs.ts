import { Migration } from '@mikro-orm/migrations';

/** Fine-tuning jobs (issue 13): provider job state, events and the draft version produced; one open job per tenant. */
export class Migration20261207171000FineTuningJobs extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "fine_tuning_job" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "training_set_id" uuid not null, "provider" varchar(255) not null default 'openai', "base_model" varchar(255) not null, "suffix" varchar(255) not null, "phase" varchar(255) not null default 'submitting', "status" varchar(255) null, "provider_job_id" varchar(255) null, "training_file_id" varchar(255) null, "validation_file_id" varchar(255) null, "events" jsonb not null, "error" jsonb null, "fine_tuned_model" varchar(255) null, "trained_tokens" int null, "base_version_id" uuid null, "model_version_id" uuid null, "evaluation_run_id" uuid null, "validation_reasons" jsonb not null, "trigger" varchar(255) not null default 'manual', "started_by" varchar(255) null, "last_poll_error" text null, "last_polled_at" timestamptz null, "submitted_at" timestamptz null, "finished_at" timestamptz null, "updated_at" timestamptz not null, constraint "fine_tuning_job_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create unique index "fine_tuning_job_one_open_per_tenant" on "fine_tuning_job" ("tenant_id") where "phase" in ('submitting', 'training', 'validating');`,
    );
    this.addSql(
      `create index "fine_tuning_job_tenant_id_created_at_index" on "fine_tuning_job" ("tenant_id", "created_at");`,
    );
    this.addSql(
      `alter table "fine_tuning_job" add constraint "fine_tuning_job_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "fine_tuning_job" add constraint "fine_tuning_job_base_version_id_foreign" foreign key ("base_version_id") references "model_version" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `alter table "fine_tuning_job" add constraint "fine_tuning_job_model_version_id_foreign" foreign key ("model_version_id") references "model_version" ("id") on update cascade on delete set null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "fine_tuning_job" cascade;`);
  }
}
