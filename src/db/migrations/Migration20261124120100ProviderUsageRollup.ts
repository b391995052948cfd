import { Migration } from '@mikro-orm/migrations';

/**
 * A per-day rollup of provider_usage for costAnalytics, kept exact by a
 * statement-level trigger: each INSERT statement on provider_usage (one per
 * flushed turn) adds its rows' sums to (tenant, UTC day, provider, model) in
 * the same transaction. Usage rows are append-only; the retention cleanup
 * deletes raw rows but the rollup keeps the history (like the daily
 * summaries). Whole days of a range come from here, the partial days at its
 * edges from provider_usage itself (src/analytics/cost-analytics.ts).
 */
export class Migration20261124120100ProviderUsageRollup extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "provider_usage_rollup" (
      "tenant_id" uuid not null references "tenant" ("id") on update cascade on delete cascade,
      "day" date not null, "provider" varchar(255) not null, "model" varchar(255) not null,
      "calls" bigint not null, "failed_calls" bigint not null,
      "input_tokens" bigint not null, "cached_input_tokens" bigint not null, "output_tokens" bigint not null, "total_tokens" bigint not null,
      "cost_usd" double precision not null,
      "ok_uncached_tokens" bigint not null, "ok_cached_tokens" bigint not null, "ok_output_tokens" bigint not null,
      constraint "provider_usage_rollup_pkey" primary key ("tenant_id", "day", "provider", "model"));`);
    this.addSql(`create function "provider_usage_rollup_add"() returns trigger language plpgsql as $$
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
    this.addSql(`create trigger "provider_usage_rollup_after_insert" after insert on "provider_usage"
      referencing new table as inserted for each statement execute function "provider_usage_rollup_add"();`);
    // Usage recorded before this migration.
    this
      .addSql(`insert into provider_usage_rollup (tenant_id, day, provider, model, calls, failed_calls, input_tokens, cached_input_tokens, output_tokens,
        total_tokens, cost_usd, ok_uncached_tokens, ok_cached_tokens, ok_output_tokens)
      select tenant_id, (created_at at time zone 'UTC')::date, provider, model, count(*), count(*) filter (where not success),
        sum(input_tokens), sum(cached_input_tokens), sum(output_tokens), sum(total_tokens), sum(estimated_cost_usd),
        coalesce(sum(greatest(input_tokens - cached_input_tokens, 0)) filter (where success), 0),
        coalesce(sum(least(cached_input_tokens, input_tokens)) filter (where success), 0),
        coalesce(sum(output_tokens) filter (where success), 0)
      from provider_usage group by 1, 2, 3, 4;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop trigger if exists "provider_usage_rollup_after_insert" on "provider_usage";');
    this.addSql('drop function if exists "provider_usage_rollup_add"();');
    this.addSql('drop table if exists "provider_usage_rollup";');
  }
}
