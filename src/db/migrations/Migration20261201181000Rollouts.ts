import { Migration } from '@mikro-orm/migrations';

/** Gradual rollouts (issue 14): a candidate version through coverage stages of an experiment; one unfinished per tenant. */
export class Migration20261201181000Rollouts extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "rollout" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "experiment_id" uuid not null, "candidate_version_id" uuid not null, "previous_version_id" uuid not null, "stages" jsonb not null, "stage_index" int not null default 0, "stage_started_at" timestamptz not null, "min_stage_hours" double precision not null default 48, "min_sample_per_arm" int not null default 100, "watch_hours" double precision not null default 48, "status" varchar(255) not null default 'running', "completed_at" timestamptz null, "watch_until" timestamptz null, "end_reason" text null, "created_by" varchar(255) null, "updated_at" timestamptz not null, constraint "rollout_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create unique index "rollout_one_open_per_tenant" on "rollout" ("tenant_id") where "status" in ('running', 'paused', 'watching');`,
    );
    this.addSql(`create index "rollout_tenant_id_created_at_index" on "rollout" ("tenant_id", "created_at");`);
    this.addSql(
      `alter table "rollout" add constraint "rollout_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "rollout" add constraint "rollout_experiment_id_foreign" foreign key ("experiment_id") references "experiment" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "rollout" add constraint "rollout_candidate_version_id_foreign" foreign key ("candidate_version_id") references "model_version" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "rollout" add constraint "rollout_previous_version_id_foreign" foreign key ("previous_version_id") references "model_version" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "rollout" cascade;`);
  }
}
