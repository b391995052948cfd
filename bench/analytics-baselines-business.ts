import type pg from 'pg';
import { num, numOrNull, put, ratio, type Figures, type Row } from './analytics-figures';
import type { Range } from './analytics-baselines';

/** Hand-written SQL for businessMetrics and versionBusinessMetrics (see analytics-baselines.ts). */

export const BUSINESS_FIELDS = [
  'conversations',
  'ratedConversations',
  'csat',
  'thumbsCsat',
  'surveysAsked',
  'surveyResponses',
  'surveyResponseRate',
  'surveyAverageScore',
  'surveyCsat',
  'conversions',
  'convertedConversations',
  'conversionRate',
  'resolvedConversations',
  'handedOffConversations',
  'costUsd',
  'costPerConversation',
  'costPerResolution',
  'botAttributedRevenueUsd',
  'assistedRevenueUsd',
  'humanCostAvoidedUsd',
  'netBenefitUsd',
  'roi',
] as const;
export const AGENT_FIELDS = [
  'handoffsTaken',
  'agentReplies',
  'firstRepliesGiven',
  'averageFirstReplySeconds',
  'medianFirstReplySeconds',
  'correctionsWritten',
  'correctionsApproved',
  'correctionsReviewed',
] as const;

/** businessMetrics: the conversations of the range with their replies, latest survey answer and conversions; agents. */
export async function businessBaseline(db: pg.Pool, tenantId: string, range: Range): Promise<Figures> {
  const scope = [tenantId, range.from, range.to];
  const [settings, totals, taken, replies, firstReplies, corrections] = await Promise.all([
    db.query<{ settings: { business?: Record<string, unknown> } }>('select settings from tenant where id = $1', [
      tenantId,
    ]),
    db.query<Row>(
      `with c as (select id, handed_off_at is not null as handed_off from conversation
                   where tenant_id = $1 and started_at >= $2 and started_at < $3),
       r as (select i.conversation_id as id, sum(i.cost_usd) as cost, count(f.helpful) as votes,
                    count(*) filter (where f.helpful = false) as down
               from agent_interaction i left join interaction_feedback f on f.interaction_id = i.id
              where i.tenant_id = $1 and i.conversation_id in (select id from c) group by i.conversation_id),
       s as (select conversation_id as id, count(*) as asked, count(score) as answered, sum(score) as score_sum,
                    count(*) filter (where score >= 4) as satisfied
               from csat_survey where conversation_id in (select id from c) group by conversation_id),
       latest as (select distinct on (conversation_id) conversation_id as id, score from csat_survey
                   where conversation_id in (select id from c) and score is not null order by conversation_id, answered_at desc),
       v as (select conversation_id as id, count(*) as conversions, sum(coalesce(value_usd, $4)) as value
               from conversion where conversation_id in (select id from c) group by conversation_id)
       select count(*) as conversations,
              count(*) filter (where latest.score is not null or r.votes > 0) as rated,
              count(*) filter (where latest.score >= 4 or (latest.score is null and r.votes > 0 and r.down = 0)) as satisfied,
              count(*) filter (where r.votes > 0) as voted, count(*) filter (where r.votes > 0 and r.down = 0) as voted_satisfied,
              coalesce(sum(s.asked), 0) as asked, coalesce(sum(s.answered), 0) as answered, sum(s.score_sum)::float8 as score_sum,
              coalesce(sum(s.satisfied), 0) as survey_satisfied, coalesce(sum(v.conversions), 0) as conversions,
              count(v.id) as converted, count(r.id) filter (where not c.handed_off and r.down = 0) as resolved,
              count(*) filter (where c.handed_off) as handed_off, coalesce(sum(r.cost), 0)::float8 as cost,
              coalesce(sum(v.value) filter (where not c.handed_off), 0)::float8 as bot_revenue,
              coalesce(sum(v.value) filter (where c.handed_off), 0)::float8 as assisted_revenue
         from c left join r using (id) left join s using (id) left join latest using (id) left join v using (id)`,
      [...scope, 0],
    ),
    db.query<Row>(
      `select assignee as agent, count(*) as n from conversation
        where tenant_id = $1 and assigned_at >= $2 and assigned_at < $3 and assignee is not null group by assignee`,
      scope,
    ),
    db.query<Row>(
      `select payload->>'authorId' as agent, count(*) as n from message
        where tenant_id = $1 and created_at >= $2 and created_at < $3 and author = 'agent' and payload->>'authorId' is not null
        group by 1`,
      scope,
    ),
    db.query<Row>(
      `with first as (
         select distinct on (c.id) m.payload->>'authorId' as agent, extract(epoch from m.created_at - c.handed_off_at) as seconds
           from conversation c join message m on m.conversation_id = c.id and m.author = 'agent' and m.created_at >= c.handed_off_at
          where c.tenant_id = $1 and c.handed_off_at >= $2 and c.handed_off_at < $3
          order by c.id, m.created_at)
       select agent, count(*) as n, avg(seconds)::float8 as average_s, percentile_cont(0.5) within group (order by seconds) as median_s
         from first where agent is not null group by agent`,
      scope,
    ),
    db.query<Row>(
      `select agent, sum(written) as written, sum(approved) as approved, sum(reviewed) as reviewed from (
         select author_id as agent, count(*) as written, count(*) filter (where status = 'approved') as approved, 0 as reviewed
           from human_correction where tenant_id = $1 and created_at >= $2 and created_at < $3 group by author_id
         union all
         select decided_by, 0, 0, count(*) from human_correction
          where tenant_id = $1 and decided_at >= $2 and decided_at < $3 and decided_by is not null group by decided_by) a
       group by agent`,
      scope,
    ),
  ]);
  const business = settings.rows[0]?.settings.business ?? {};
  const humanCost = typeof business.humanConversationCostUsd === 'number' ? business.humanConversationCostUsd : 0;
  if (typeof business.conversionValueUsd === 'number') throw new Error('the bench seeds no conversion value');
  const row = totals.rows[0];
  const conversations = num(row, 'conversations');
  const resolved = num(row, 'resolved');
  const cost = num(row, 'cost');
  const answered = num(row, 'answered');
  const botRevenue = num(row, 'bot_revenue');
  const avoided = resolved * humanCost;
  const figures: Figures = {};
  put(
    figures,
    'totals',
    {
      conversations,
      ratedConversations: num(row, 'rated'),
      csat: ratio(num(row, 'satisfied'), num(row, 'rated')),
      thumbsCsat: ratio(num(row, 'voted_satisfied'), num(row, 'voted')),
      surveysAsked: num(row, 'asked'),
      surveyResponses: answered,
      surveyResponseRate: ratio(answered, num(row, 'asked')),
      surveyAverageScore: answered ? num(row, 'score_sum') / answered : null,
      surveyCsat: ratio(num(row, 'survey_satisfied'), answered),
      conversions: num(row, 'conversions'),
      convertedConversations: num(row, 'converted'),
      conversionRate: ratio(num(row, 'converted'), conversations),
      resolvedConversations: resolved,
      handedOffConversations: num(row, 'handed_off'),
      costUsd: cost,
      costPerConversation: ratio(cost, conversations),
      costPerResolution: ratio(cost, resolved),
      botAttributedRevenueUsd: botRevenue,
      assistedRevenueUsd: num(row, 'assisted_revenue'),
      humanCostAvoidedUsd: avoided,
      netBenefitUsd: avoided + botRevenue - cost,
      roi: ratio(avoided + botRevenue - cost, cost),
    },
    BUSINESS_FIELDS,
  );
  const agents = new Map<string, Record<string, number | null>>();
  const agent = (name: unknown) => {
    const key = String(name);
    if (!agents.has(key))
      agents.set(key, {
        ...Object.fromEntries(AGENT_FIELDS.map((field) => [field, 0])),
        averageFirstReplySeconds: null,
        medianFirstReplySeconds: null,
      });
    return agents.get(key)!;
  };
  for (const r of taken.rows) agent(r.agent).handoffsTaken = num(r, 'n');
  for (const r of replies.rows) agent(r.agent).agentReplies = num(r, 'n');
  for (const r of firstReplies.rows)
    Object.assign(agent(r.agent), {
      firstRepliesGiven: num(r, 'n'),
      averageFirstReplySeconds: numOrNull(r, 'average_s'),
      medianFirstReplySeconds: numOrNull(r, 'median_s'),
    });
  for (const r of corrections.rows)
    Object.assign(agent(r.agent), {
      correctionsWritten: num(r, 'written'),
      correctionsApproved: num(r, 'approved'),
      correctionsReviewed: num(r, 'reviewed'),
    });
  for (const [name, entry] of agents) put(figures, `agents.${name}`, entry, AGENT_FIELDS);
  return figures;
}

export function businessServiceFigures(result: { totals: object; agents: ({ agent: string } & object)[] }): Figures {
  const figures = put({}, 'totals', result.totals, BUSINESS_FIELDS);
  for (const entry of result.agents) put(figures, `agents.${entry.agent}`, entry, AGENT_FIELDS);
  return figures;
}

export const VERSION_FIELDS = [
  'modelVersionNumber',
  'interactions',
  'votes',
  'thumbsUpRate',
  'implicitSatisfaction',
  'handoffRate',
] as const;

/** versionBusinessMetrics: the range's replies grouped by version first, then named from model_version. */
export async function versionBusinessBaseline(db: pg.Pool, tenantId: string, range: Range): Promise<Figures> {
  const { rows } = await db.query<Row>(
    `with per as (
       select i.model_version_id, count(*) as interactions, count(f.helpful) as votes,
              count(*) filter (where f.helpful) as up, avg(f.implicit_satisfaction) as satisfaction,
              count(*) filter (where f.requested_handoff
                or c.handed_off_at between i.created_at - interval '1 second' and i.created_at + interval '1 second') as handoffs
         from agent_interaction i join conversation c on c.id = i.conversation_id
         left join interaction_feedback f on f.interaction_id = i.id
        where i.tenant_id = $1 and i.created_at >= $2 and i.created_at < $3 and i.model_version_id is not null
        group by i.model_version_id)
     select v.id, v.number, per.* from per join model_version v on v.id::text = per.model_version_id and v.tenant_id = $1
      order by v.number desc`,
    [tenantId, range.from, range.to],
  );
  const figures: Figures = {};
  rows.forEach((row, index) => {
    const interactions = num(row, 'interactions');
    put(
      figures,
      `versions.${index}.${String(row.id)}`,
      {
        modelVersionNumber: num(row, 'number'),
        interactions,
        votes: num(row, 'votes'),
        thumbsUpRate: ratio(num(row, 'up'), num(row, 'votes')),
        implicitSatisfaction: numOrNull(row, 'satisfaction'),
        handoffRate: ratio(num(row, 'handoffs'), interactions),
      },
      VERSION_FIELDS,
    );
  });
  return figures;
}

export function versionBusinessServiceFigures(result: ({ modelVersionId: string } & object)[]): Figures {
  const figures: Figures = {};
  result.forEach((entry, index) => put(figures, `versions.${index}.${entry.modelVersionId}`, entry, VERSION_FIELDS));
  return figures;
}
