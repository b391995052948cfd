import { Migration } from '@mikro-orm/migrations';

/** Training data exports and offline-trained models (issue 13). */
export class Migration20261207170000TrainingSets extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "training_set" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "number" int not null, "model_version_id" uuid null, "settings" jsonb not null, "examples" jsonb not null, "example_count" int not null, "train_count" int not null, "validation_count" int not null, "statistics" jsonb not null, "warnings" jsonb not null, "created_by" varchar(255) null, constraint "training_set_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "training_set" add constraint "training_set_tenant_id_number_unique" unique ("tenant_id", "number");`,
    );
    this.addSql(
      `create index "training_set_tenant_id_created_at_index" on "training_set" ("tenant_id", "created_at");`,
    );
    this.addSql(
      `alter table "training_set" add constraint "training_set_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "training_set" add constraint "training_set_model_version_id_foreign" foreign key ("model_version_id") references "model_version" ("id") on update cascade on delete set null;`,
    );
    this.addSql(
      `create table "offline_model" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "training_set_id" uuid null, "algorithm" varchar(255) not null, "artifact" bytea not null, "example_count" int not null, "training_ms" int not null, "metrics" jsonb null, "created_by" varchar(255) null, constraint "offline_model_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "offline_model_tenant_id_created_at_index" on "offline_model" ("tenant_id", "created_at");`,
    );
    this.addSql(
      `alter table "offline_model" add constraint "offline_model_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "offline_model" add constraint "offline_model_training_set_id_foreign" foreign key ("training_set_id") references "training_set" ("id") on update cascade on delete set null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "offline_model" cascade;`);
    this.addSql(`drop table if exists "training_set" cascade;`);
  }
}
