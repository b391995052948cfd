import { Migration } from '@mikro-orm/migrations';

/**
 * Experiments (issue 14): control vs candidate model version per tenant, with
 * GrowthBook-compatible assignment. A partial unique index allows one running
 * experiment per tenant; the engine reads it through that index on every turn.
 */
export class Migration20261201180000Experiments extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "experiment" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "key" varchar(255) not null, "control_version_id" uuid not null, "candidate_version_id" uuid not null, "coverage" double precision not null default 0.1, "weights" jsonb not null, "seed" varchar(255) not null, "status" varchar(255) not null default 'draft', "guarded_metrics" jsonb not null, "started_at" timestamptz null, "stopped_at" timestamptz null, "stop_reason" text null, "created_by" varchar(255) null, "updated_at" timestamptz not null, constraint "experiment_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create unique index "experiment_one_running_per_tenant" on "experiment" ("tenant_id") where "status" = 'running';`,
    );
    this.addSql(`create index "experiment_tenant_id_created_at_index" on "experiment" ("tenant_id", "created_at");`);
    this.addSql(
      `alter table "experiment" add constraint "experiment_tenant_id_key_unique" unique ("tenant_id", "key");`,
    );
    this.addSql(
      `alter table "experiment" add constraint "experiment_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "experiment" add constraint "experiment_control_version_id_foreign" foreign key ("control_version_id") references "model_version" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "experiment" add constraint "experiment_candidate_version_id_foreign" foreign key ("candidate_version_id") references "model_version" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "experiment" cascade;`);
  }
}
