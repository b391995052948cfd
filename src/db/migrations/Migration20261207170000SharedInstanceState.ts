import { Migration } from '@mikro-orm/migrations';

/**
 * State several instances must share (issue 17), kept in plain tables that only
 * raw SQL touches (src/db/shared-state/…), so no entity describes them:
 *
 * - `parley_tenant_changed` NOTIFY on every change of a tenant's settings,
 *   secrets or status, whatever wrote it (GraphQL, CLI, another instance):
 *   every instance drops its cached keys, provider selections and channel bindings.
 * - `rate_limit_window`: fixed-window counters shared by every instance.
 * - `job_run_slot`: one row per scheduled job run, so a job scheduled on every
 *   instance runs once per slot (the advisory lock alone lets a slower instance
 *   run it again after the first finished).
 * - `provider_health_window` / `provider_health_circuit`: each instance's
 *   per-minute provider counters and circuit states, flushed every few seconds,
 *   summed by `providerHealth`.
 */
export class Migration20261207170000SharedInstanceState extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace function parley_tenant_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('parley_tenant_changed', coalesce(new.id, old.id)::text);
        return null;
      end $$;`);
    this.addSql(`create trigger parley_tenant_notify_update after update on "tenant" for each row
      when (old.settings::text is distinct from new.settings::text
        or old.encrypted_secrets is distinct from new.encrypted_secrets
        or old.disabled_at is distinct from new.disabled_at)
      execute function parley_tenant_notify();`);
    this.addSql(`create trigger parley_tenant_notify_delete after delete on "tenant" for each row
      execute function parley_tenant_notify();`);
    this.addSql(`create table "rate_limit_window" (
      "key" varchar(300) not null, "window_start" timestamptz not null, "hits" int not null,
      constraint "rate_limit_window_pkey" primary key ("key", "window_start"));`);
    this.addSql(`create table "job_run_slot" (
      "job" varchar(64) not null, "slot" timestamptz not null, "instance" varchar(120) not null,
      "started_at" timestamptz not null default now(),
      constraint "job_run_slot_pkey" primary key ("job", "slot"));`);
    this.addSql(`create table "provider_health_window" (
      "instance" varchar(120) not null, "provider" varchar(32) not null, "model" varchar(200) not null,
      "key_tenant" varchar(36) not null, "minute" timestamptz not null,
      "successes" int not null, "failures" int not null, "slow_calls" int not null,
      "latency_sum_ms" double precision not null, "latency_sample_ms" real[] not null,
      "last_error_code" varchar(100), "last_failure_at" timestamptz,
      constraint "provider_health_window_pkey" primary key ("instance", "provider", "model", "key_tenant", "minute"));`);
    this.addSql(`create index "provider_health_window_minute_index" on "provider_health_window" ("minute");`);
    this.addSql(`create table "provider_health_circuit" (
      "instance" varchar(120) not null, "provider" varchar(32) not null, "model" varchar(200) not null,
      "key_tenant" varchar(36) not null, "circuit" varchar(16) not null, "opened_at" timestamptz,
      "updated_at" timestamptz not null,
      constraint "provider_health_circuit_pkey" primary key ("instance", "provider", "model", "key_tenant"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists parley_tenant_notify_update on "tenant";`);
    this.addSql(`drop trigger if exists parley_tenant_notify_delete on "tenant";`);
    this.addSql(`drop function if exists parley_tenant_notify();`);
    this.addSql(`drop table if exists "rate_limit_window";`);
    this.addSql(`drop table if exists "job_run_slot";`);
    this.addSql(`drop table if exists "provider_health_window";`);
    this.addSql(`drop table if exists "provider_health_circuit";`);
  }
}
