import type pg from 'pg';
import type { DataSize } from './analytics-data';

const TOPICS = ['orders', 'refunds', 'delivery', 'accounts', 'payments'];
/** Knowledge articles per tenant; interactions cite one of their tenant's. */
export const ARTICLES_PER_TENANT = 10;

/**
 * What the business, comparison and feedback-loop queries read, on top of
 * generateAnalyticsData: knowledge articles with topics, the articles and
 * model version (three per tenant, 90 % of the replies), API as the channel of a quarter of the conversations, handoffs (10 % of
 * conversations, taken by seven agents who answer), corrections (one per 40
 * replies), completed actions (5 % of conversations) and surveys (20 %).
 * Row → tenant assignment follows the same `g % tenants` rule.
 */
export async function generateBusinessData(
  client: pg.Client,
  size: DataSize,
  log: (line: string) => void,
): Promise<void> {
  const T = size.tenants;
  const A = ARTICLES_PER_TENANT;
  const step = async (label: string, sql: string) => {
    const started = Date.now();
    await client.query(sql);
    log(`  ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  };
  const tenant = (expression: string) => `md5('t' || ((${expression}) % ${T}))::uuid`;
  const corrections = Math.round(size.interactions / 40);
  await step(
    `${corrections} corrections`,
    `insert into human_correction (id, tenant_id, created_at, interaction_id, original_reply, corrected_reply, category, status, author_id, decided_by, decided_at, updated_at)
     select md5('h' || g)::uuid, ${tenant('g')}, i.created_at + interval '10 minutes', i.id, 'answer', 'better answer', 'other',
            (array['approved', 'approved', 'approved', 'rejected', 'pending'])[1 + g % 5], 'slack:U' || (g % 7),
            case when g % 5 <> 4 then 'slack:R' || (g % 3) end,
            case when g % 5 <> 4 then i.created_at + interval '10 minutes' + (g % 48) * interval '1 hour' end, now()
       from generate_series(0, ${corrections - 1}) g join agent_interaction i on i.id = md5('i' || (g * 40))::uuid`,
  );
  await step(
    `${T * A} knowledge articles`,
    `insert into knowledge_article (id, tenant_id, created_at, question, normalized_question, answer, topic, source, correction_id, active, updated_at)
     select md5('a' || n)::uuid, ${tenant('n')}, now() - interval '120 days', 'question ' || n, 'question ' || n, 'answer ' || n,
            (array[${TOPICS.map((topic) => `'${topic}'`).join(', ')}])[1 + (n / ${T}) % ${TOPICS.length}],
            case when n % 3 = 0 then 'correction' else 'seed' end,
            case when n % 3 = 0 then (select h.id from human_correction h where h.tenant_id = ${tenant('n')} and h.status = 'approved' order by h.id limit 1) end,
            true, now()
       from generate_series(0, ${T * A - 1}) n`,
  );
  await step(
    `${T * 2} more model versions`,
    // Version 1 of each tenant comes from the tenant trigger; versions 2 (retired) and 3 (active) are added.
    `update model_version set status = 'retired' where status = 'active';
     insert into model_version (id, tenant_id, created_at, updated_at, number, status, tier_models, retrieval_k, retrieval_min_score, notes)
     select md5('mv' || t || '-' || n)::uuid, md5('t' || t)::uuid, now() - interval '100 days', now(), n,
            case when n = 3 then 'active' else 'retired' end, '{}'::jsonb, 3, 0.3, 'bench'
       from generate_series(0, ${T - 1}) t cross join generate_series(2, 3) n`,
  );
  await step(
    'article ids and model versions on replies',
    // 70 % of replies cite an article; 90 % carry one of their tenant's three versions (the rest none: 'unversioned').
    `update agent_interaction i set
       article_ids = case when s.r < 0.7 then jsonb_build_array(md5('a' || ((s.g % ${T}) + ${T} * ((s.g / ${T}) % ${A})))::uuid::text) else '[]'::jsonb end,
       model_version_id = case when s.g % 10 <> 9 then v.id::text end
     from (select g, random() as r from generate_series(0, ${size.interactions - 1}) g) s
     join model_version v on v.tenant_id = md5('t' || (s.g % ${T}))::uuid and v.number = 1 + (s.g / ${T}) % 3
     where i.id = md5('i' || s.g)::uuid`,
  );
  await step(
    'channels',
    // A quarter of the conversations come through the API, so the channel cut has something to cut.
    `update conversation set channel = 'api' where abs(hashtext(id::text)) % 4 = 1;
     update message m set channel = 'api' from conversation c where c.id = m.conversation_id and c.channel = 'api'`,
  );
  await step(
    'handoffs and agent replies',
    `update conversation set status = 'handed_off', handed_off_at = started_at + interval '5 minutes',
            assignee = 'slack:U' || (abs(hashtext(id::text)) % 7), assigned_at = started_at + interval '7 minutes'
      where abs(hashtext(id::text)) % 10 = 0;
     insert into message (id, tenant_id, created_at, conversation_id, channel, direction, author, kind, text, payload, delivery_status)
     select md5('ma' || c.id)::uuid, c.tenant_id, c.handed_off_at + (abs(hashtext(c.id::text)) % 600) * interval '1 second', c.id, 'whatsapp',
            'outbound', 'agent', 'text', 'agent reply', jsonb_build_object('authorId', c.assignee), 'delivered'
       from conversation c where c.handed_off_at is not null`,
  );
  await step(
    'conversions and surveys',
    `insert into conversion (id, tenant_id, created_at, conversation_id, kind, value_usd, external_id, occurred_at)
     select md5('v' || g)::uuid, ${tenant('g')}, now(), md5('c' || g)::uuid, 'order', case when g % 40 = 0 then null else 20 + g % 100 end, 'order-' || g, now()
       from generate_series(0, ${size.conversations - 1}, 20) g;
     insert into csat_survey (id, tenant_id, created_at, conversation_id, asked_at, score, answered_at)
     select md5('s' || g)::uuid, ${tenant('g')}, now(), md5('c' || g)::uuid, c.started_at + interval '40 minutes',
            case when g % 10 = 0 then 1 + (g / 10) % 5 end, case when g % 10 = 0 then c.started_at + interval '45 minutes' end
       from generate_series(0, ${size.conversations - 1}, 5) g join conversation c on c.id = md5('c' || g)::uuid`,
  );
  await step('vacuum analyze', 'vacuum analyze');
}
