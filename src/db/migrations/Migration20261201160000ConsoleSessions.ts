import { Migration } from '@mikro-orm/migrations';

/** Admin-console sessions: the SHA-256 of a cookie token standing for one API key until it expires. */
export class Migration20261201160000ConsoleSessions extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "console_session" ("id" uuid not null, "tenant_id" uuid not null, "created_at" timestamptz not null, "token_hash" varchar(255) not null, "api_key_id" uuid not null, "expires_at" timestamptz not null, "last_seen_at" timestamptz not null, "user_agent" varchar(300) null, constraint "console_session_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "console_session" add constraint "console_session_token_hash_unique" unique ("token_hash");`,
    );
    this.addSql(`create index "console_session_expires_at_index" on "console_session" ("expires_at");`);
    this.addSql(
      `alter table "console_session" add constraint "console_session_tenant_id_foreign" foreign key ("tenant_id") references "tenant" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "console_session" add constraint "console_session_api_key_id_foreign" foreign key ("api_key_id") references "api_key" ("id") on update cascade on delete cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "console_session" cascade;`);
  }
}
