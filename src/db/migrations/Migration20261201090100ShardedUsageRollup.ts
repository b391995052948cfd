import { Migration } from '@mikro-orm/migrations';

const SHARDS = 16;

/**
 * provider_usage_rollup gets a shard in its key (see ProviderUsageRollup): the
 * trigger adds each INSERT's sums to shard `pg_backend_pid() % 16`, so
 * concurrent turns of one tenant (on different connections) no longer wait on
 * the same (tenant, day, provider, model) row. Existing rows become shard 0;
 * readers sum the shards. The foreign key takes MikroORM's name now that the
 * table has an entity.
 */
export class Migration20261201090100ShardedUsageRollup extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "provider_usage_rollup" add column "shard" smallint not null default 0;`);
    this.addSql(`alter table "provider_usage_rollup" alter column "shard" drop default;`);
    this.addSql(
      `alter table "provider_usage_rollup" drop constraint "provider_usage_rollup_pkey", add constraint "provider_usage_rollup_pkey" primary key ("tenant_id", "day", "provider", "model", "shard");`,
    );
    this.addSql(
      `alter table "provider_usage_rollup" rename constraint "provider_usage_rollup_tenant_id_fkey" to "provider_usage_rollup_tenant_id_foreign";`,
    );
    this.addSql(rollupFunction(`(pg_backend_pid() % ${SHARDS})::smallint`, '(tenant_id, day, provider, model, shard)'));
  }

  override async down(): Promise<void> {
    this.addSql(rollupFunction(null, '(tenant_id, day, provider, model)'));
    this.addSql(`create temporary table "provider_usage_rollup_merged" on commit drop as
      select tenant_id, day, provider, model, sum(calls) as calls, sum(failed_calls) as failed_calls, sum(input_tokens) as input_tokens,
        sum(cached_input_tokens) as cached_input_tokens, sum(output_tokens) as output_tokens, sum(total_tokens) as total_tokens,
        sum(cost_usd) as cost_usd, sum(ok_uncached_tokens) as ok_uncached_tokens, sum(ok_cached_tokens) as ok_cached_tokens,
        sum(ok_output_tokens) as ok_output_tokens
      from "provider_usage_rollup" group by 1, 2, 3, 4;`);
    this.addSql(`delete from "provider_usage_rollup";`);
    this.addSql(
      `alter table "provider_usage_rollup" drop constraint "provider_usage_rollup_pkey", drop column "shard", add constraint "provider_usage_rollup_pkey" primary key ("tenant_id", "day", "provider", "model");`,
    );
    this.addSql(`insert into "provider_usage_rollup" select * from "provider_usage_rollup_merged";`);
    this.addSql(
      `alter table "provider_usage_rollup" rename constraint "provider_usage_rollup_tenant_id_foreign" to "provider_usage_rollup_tenant_id_fkey";`,
    );
  }
}

/**
 * The trigger function, with or without the shard column. Evaluation traffic
 * (Migration20261201150000LearningEvaluation, applied before this one) stays
 * out of the rollup, as customer cost analytics expect.
 */
function rollupFunction(shard: string | null, key: string): string {
  return `create or replace function "provider_usage_rollup_add"() returns trigger language plpgsql as $$
      begin
        insert into provider_usage_rollup as r (tenant_id, day, provider, model, ${shard ? 'shard, ' : ''}calls, failed_calls, input_tokens, cached_input_tokens,
          output_tokens, total_tokens, cost_usd, ok_uncached_tokens, ok_cached_tokens, ok_output_tokens)
        select n.tenant_id, (n.created_at at time zone 'UTC')::date, n.provider, n.model, ${shard ? `${shard}, ` : ''}count(*), count(*) filter (where not n.success),
          sum(n.input_tokens), sum(n.cached_input_tokens), sum(n.output_tokens), sum(n.total_tokens), sum(n.estimated_cost_usd),
          coalesce(sum(greatest(n.input_tokens - n.cached_input_tokens, 0)) filter (where n.success), 0),
          coalesce(sum(least(n.cached_input_tokens, n.input_tokens)) filter (where n.success), 0),
          coalesce(sum(n.output_tokens) filter (where n.success), 0)
        from inserted n where not n.evaluation group by 1, 2, 3, 4
        order by 1, 2, 3, 4
        on conflict ${key} do update set
          calls = r.calls + excluded.calls, failed_calls = r.failed_calls + excluded.failed_calls,
          input_tokens = r.input_tokens + excluded.input_tokens, cached_input_tokens = r.cached_input_tokens + excluded.cached_input_tokens,
          output_tokens = r.output_tokens + excluded.output_tokens, total_tokens = r.total_tokens + excluded.total_tokens,
          cost_usd = r.cost_usd + excluded.cost_usd, ok_uncached_tokens = r.ok_uncached_tokens + excluded.ok_uncached_tokens,
          ok_cached_tokens = r.ok_cached_tokens + excluded.ok_cached_tokens, ok_output_tokens = r.ok_output_tokens + excluded.ok_output_tokens;
        return null;
      end $$;`;
}
