import type pg from 'pg';

/** Size of the generated data set; `scale` 1 is the issue's minimum. */
export interface DataSize {
  tenants: number;
  conversations: number;
  interactions: number;
  usageRows: number;
  days: number;
}

export function dataSize(scale: number): DataSize {
  // Multiples of the tenant count keep row → tenant assignment consistent across tables (g % tenants).
  const round = (value: number) => Math.max(20, Math.round(value / 20) * 20);
  return {
    tenants: 20,
    conversations: round(50_000 * scale),
    interactions: round(200_000 * scale),
    usageRows: round(1_000_000 * scale),
    days: 90,
  };
}

const MODELS: [string, string, number, number][] = [
  // provider, model, $ per 1M input, $ per 1M output (catalogue list prices)
  ['gemini', 'gemini-2.5-flash', 0.3, 2.5],
  ['openai', 'gpt-4o-mini', 0.15, 0.6],
  ['openai', 'gpt-4o', 2.5, 10],
  ['gemini', 'gemini-2.5-pro', 1.25, 10],
  ['openai', 'o4-mini', 1.1, 4.4],
];

/**
 * Fills an empty, migrated database with generate_series: every row is made
 * inside PostgreSQL, so a million rows take seconds rather than a million
 * round trips. Ids are md5-derived uuids so the tables reference each other
 * without lookups; timestamps are truncated to milliseconds like the service's.
 */
export async function generateAnalyticsData(
  client: pg.Client,
  size: DataSize,
  log: (line: string) => void,
): Promise<void> {
  const T = size.tenants;
  const step = async (label: string, sql: string) => {
    const started = Date.now();
    await client.query(sql);
    log(`  ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  };
  const tenant = (expression: string) => `md5('t' || ((${expression}) % ${T}))::uuid`;
  const ago = `date_trunc('milliseconds', now() - random() * interval '${size.days} days')`;
  await step(
    `${T} tenants`,
    `insert into tenant (id, name, settings, created_at, updated_at)
    select md5('t' || t)::uuid, 'bench-' || t, '{}'::jsonb, now(), now() from generate_series(0, ${T - 1}) t`,
  );
  await step(
    `${size.conversations} contacts and conversations`,
    `
    insert into contact (id, tenant_id, created_at, channel, external_id, display_name, feedback_opt_out)
      select md5('k' || g)::uuid, ${tenant('g')}, now(), 'whatsapp', 'whatsapp:+44' || g, 'customer ' || g, false from generate_series(0, ${size.conversations - 1}) g;
    insert into conversation (id, tenant_id, created_at, contact_id, channel, status, started_at, last_activity_at)
      select md5('c' || g)::uuid, ${tenant('g')}, ts, md5('k' || g)::uuid, 'whatsapp', 'bot', ts, ts
      from (select g, ${ago} as ts from generate_series(0, ${size.conversations - 1}) g) s`,
  );
  await step(
    'turn timestamps',
    `create temporary table bench_turn as select i, ${ago} as ts, random() as r from generate_series(0, ${size.interactions - 1}) i`,
  );
  await step(
    `${size.interactions * 2} messages`,
    `
    insert into message (id, tenant_id, created_at, conversation_id, channel, direction, author, kind, text, processed_at)
      select md5('mi' || i)::uuid, ${tenant('i')}, ts, md5('c' || (i % ${size.conversations}))::uuid, 'whatsapp', 'inbound', 'customer', 'text', 'question ' || i, ts from bench_turn;
    insert into message (id, tenant_id, created_at, conversation_id, channel, direction, author, kind, text, delivery_status)
      select md5('mo' || i)::uuid, ${tenant('i')}, ts + interval '1 second', md5('c' || (i % ${size.conversations}))::uuid, 'whatsapp', 'outbound', 'bot', 'text', 'answer ' || i, 'delivered' from bench_turn`,
  );
  const model = (column: number) =>
    `(array[${MODELS.map((entry) => (typeof entry[column] === 'string' ? `'${entry[column]}'` : String(entry[column]))).join(', ')}])`;
  await step(
    `${size.interactions} interactions`,
    `
    insert into agent_interaction (id, tenant_id, created_at, conversation_id, inbound_message_id, reply_message_id, reply_text, provider, model,
      complexity_score, routing_reason, latency_ms, input_tokens, output_tokens, total_tokens, cost_usd, failover, cache_hit, feedback_token)
    select md5('i' || i)::uuid, ${tenant('i')}, ts + interval '1 second', md5('c' || (i % ${size.conversations}))::uuid, md5('mi' || i)::uuid, md5('mo' || i)::uuid,
      'answer ' || i, ${model(0)}[1 + i % 5], ${model(1)}[1 + i % 5], r, 'bench', 300 + (r * 900)::int, 800, 150, 950,
      (800 * ${model(2)}[1 + i % 5] + 150 * ${model(3)}[1 + i % 5]) / 1e6, r < 0.02, false, md5('f' || i)
    from bench_turn`,
  );
  await step(
    `${size.interactions} feedback rows`,
    `
    insert into interaction_feedback (id, tenant_id, created_at, interaction_id, helpful, comment, source, voted_at, history,
      continued_conversation, completed_action, requested_handoff, response_time_ms, implicit_satisfaction, updated_at)
    select md5('fb' || i)::uuid, ${tenant('i')}, ts + interval '1 minute', md5('i' || i)::uuid,
      case when r < 0.4 then r < 0.3 end, case when r < 0.04 then 'comment ' || i end, case when r < 0.4 then 'whatsapp' end,
      case when r < 0.4 then ts + interval '1 minute' end, '[]'::jsonb, r < 0.6, r < 0.2, r > 0.95, (r * 60000)::int, r, ts + interval '1 minute'
    from bench_turn`,
  );
  await step(
    `${size.usageRows} provider usage rows`,
    `
    insert into provider_usage (id, tenant_id, created_at, interaction_id, provider, model, input_tokens, cached_input_tokens, output_tokens, total_tokens,
      estimated_cost_usd, latency_ms, success, error_code, failover, routing_reason, complexity)
    select md5('u' || g)::uuid, ${tenant('g')}, ${ago}, md5('i' || (g % ${size.interactions}))::uuid, ${model(0)}[1 + g % 5], ${model(1)}[1 + g % 5],
      tokens, tokens / 4, tokens / 5, tokens + tokens / 5,
      ((tokens - tokens / 4) * ${model(2)}[1 + g % 5] + (tokens / 4) * ${model(2)}[1 + g % 5] / 2 + (tokens / 5) * ${model(3)}[1 + g % 5]) / 1e6,
      200 + g % 1500, g % 50 <> 0, case when g % 50 = 0 then 'RATE_LIMITED' end, g % 40 = 0, 'bench', (g % 100) / 100.0
    from (select g, (400 + (g::bigint * 7919) % 3000)::int as tokens from generate_series(0, ${size.usageRows - 1}) g) s`,
  );
  await step('vacuum analyze', 'vacuum analyze');
}
