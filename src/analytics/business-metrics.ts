import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { checkRange, type TimeRange } from './time-range';

/**
 * `tenant.settings.business`: the values ROI is computed from, in USD.
 * `conversionValueUsd`: what one completed action is worth when it was
 * recorded without a value; `humanConversationCostUsd`: what a conversation
 * handled by a human costs (agent time).
 */
export const businessValuesSchema = z
  .object({
    conversionValueUsd: z.number().finite().min(0).optional(),
    humanConversationCostUsd: z.number().finite().min(0).optional(),
  })
  .strict();

export interface BusinessValues {
  conversionValueUsd: number | null;
  humanConversationCostUsd: number | null;
}

/** Reads `settings.business`; an invalid block counts as unset. */
export function businessValuesFrom(settings: Record<string, unknown> | null | undefined): BusinessValues {
  const parsed = businessValuesSchema.safeParse(settings?.business ?? {});
  const values = parsed.success ? parsed.data : {};
  return {
    conversionValueUsd: values.conversionValueUsd ?? null,
    humanConversationCostUsd: values.humanConversationCostUsd ?? null,
  };
}

/** Business figures of the conversations started in a range (each formula is in docs/metrics.md and the schema). */
export interface BusinessFigures {
  conversations: number;
  /** Conversations with a survey answer or at least one 👍/👎. */
  ratedConversations: number;
  /** Satisfied / rated conversations: a survey answer of 4–5 decides; without one, votes with no 👎. */
  csat: number | null;
  /** Conversations with votes and no 👎 / conversations with votes. */
  thumbsCsat: number | null;
  surveysAsked: number;
  surveyResponses: number;
  surveyResponseRate: number | null;
  surveyAverageScore: number | null;
  /** Survey answers of 4 or 5 / survey answers. */
  surveyCsat: number | null;
  conversions: number;
  convertedConversations: number;
  conversionRate: number | null;
  resolvedConversations: number;
  handedOffConversations: number;
  costUsd: number;
  costPerConversation: number | null;
  costPerResolution: number | null;
  botAttributedRevenueUsd: number;
  assistedRevenueUsd: number;
  humanCostAvoidedUsd: number;
  netBenefitUsd: number;
  roi: number | null;
}

export interface AgentProductivity {
  agent: string;
  handoffsTaken: number;
  agentReplies: number;
  firstRepliesGiven: number;
  averageFirstReplySeconds: number | null;
  medianFirstReplySeconds: number | null;
  correctionsWritten: number;
  correctionsApproved: number;
  correctionsReviewed: number;
}

export interface BusinessMetrics {
  totals: BusinessFigures;
  values: BusinessValues;
  agents: AgentProductivity[];
}

/**
 * One row per conversation started in the range, with what the business figures need.
 * Every join also names the tenant, so the planner reads only the tenant's replies, surveys
 * and conversions rather than hashing every tenant's (conv is materialized: its tenant
 * condition does not reach them). Parameters: tenant, from, to, tenant, tenant, the default
 * conversion value, tenant.
 */
export const businessConversationSql = `with conv as (
    select c.id, c.handed_off_at is not null as handed_off
      from conversation c where c.tenant_id = ? and c.started_at >= ? and c.started_at < ?),
  replies as (
    select i.conversation_id, count(*) as replies, sum(i.cost_usd) as cost,
           count(f.helpful) as votes, count(*) filter (where f.helpful = false) as down
      from conv join agent_interaction i on i.conversation_id = conv.id and i.tenant_id = ?
      left join interaction_feedback f on f.interaction_id = i.id
     group by i.conversation_id),
  surveys as (
    select s.conversation_id, count(*) as asked, count(s.score) as answered, sum(s.score) as score_sum,
           count(*) filter (where s.score >= 4) as satisfied,
           (array_agg(s.score order by s.answered_at desc) filter (where s.score is not null))[1] as latest
      from conv join csat_survey s on s.conversation_id = conv.id and s.tenant_id = ? group by s.conversation_id),
  conversions as (
    select v.conversation_id, count(*) as conversions, sum(coalesce(v.value_usd, ?)) as value
      from conv join conversion v on v.conversation_id = conv.id and v.tenant_id = ? group by v.conversation_id),
  per as (
    select conv.handed_off, coalesce(r.replies, 0) as replies, coalesce(r.cost, 0) as cost,
           coalesce(r.votes, 0) as votes, coalesce(r.down, 0) as down, s.asked, s.answered, s.score_sum, s.satisfied,
           s.latest, coalesce(v.conversions, 0) as conversions, coalesce(v.value, 0) as value
      from conv left join replies r on r.conversation_id = conv.id
      left join surveys s on s.conversation_id = conv.id left join conversions v on v.conversation_id = conv.id)
  select count(*)::int as conversations,
         count(*) filter (where latest is not null or votes > 0)::int as rated,
         count(*) filter (where latest >= 4 or (latest is null and votes > 0 and down = 0))::int as satisfied,
         count(*) filter (where votes > 0)::int as voted,
         count(*) filter (where votes > 0 and down = 0)::int as voted_satisfied,
         coalesce(sum(asked), 0)::int as surveys_asked, coalesce(sum(answered), 0)::int as survey_responses,
         sum(score_sum)::float8 as survey_score_sum, coalesce(sum(satisfied), 0)::int as survey_satisfied,
         sum(conversions)::int as conversions, count(*) filter (where conversions > 0)::int as converted,
         count(*) filter (where replies > 0 and not handed_off and down = 0)::int as resolved,
         count(*) filter (where handed_off)::int as handed_off,
         coalesce(sum(cost), 0)::float8 as cost,
         coalesce(sum(value) filter (where not handed_off), 0)::float8 as bot_revenue,
         coalesce(sum(value) filter (where handed_off), 0)::float8 as assisted_revenue
    from per`;

/** Handoffs taken and agent replies per agent in the range. */
export const agentActivitySql = `select agent, sum(taken)::int as taken, sum(replies)::int as replies from (
    select c.assignee as agent, 1 as taken, 0 as replies from conversation c
     where c.tenant_id = ? and c.assigned_at >= ? and c.assigned_at < ? and c.assignee is not null
    union all
    select m.payload->>'authorId', 0, 1 from message m
     where m.tenant_id = ? and m.created_at >= ? and m.created_at < ? and m.author = 'agent' and m.payload->>'authorId' is not null
  ) a group by agent`;

/** Per agent: the time from handoff to the first agent reply of conversations handed off in the range (the agent who gave it). */
export const firstReplySql = `select first.agent, count(*)::int as given,
         avg(extract(epoch from first.at - c.handed_off_at))::float8 as average_s,
         percentile_cont(0.5) within group (order by extract(epoch from first.at - c.handed_off_at))::float8 as median_s
    from conversation c cross join lateral (
      select m.payload->>'authorId' as agent, m.created_at as at from message m
       where m.conversation_id = c.id and m.author = 'agent' and m.created_at >= c.handed_off_at
       order by m.created_at limit 1) first
   where c.tenant_id = ? and c.handed_off_at >= ? and c.handed_off_at < ? and first.agent is not null
   group by first.agent`;

/** Corrections written (and of those, approved) per author, and decisions per reviewer, in the range. */
export const correctionActivitySql = `select agent, sum(written)::int as written, sum(approved)::int as approved, sum(reviewed)::int as reviewed from (
    select h.author_id as agent, 1 as written, (h.status = 'approved')::int as approved, 0 as reviewed from human_correction h
     where h.tenant_id = ? and h.created_at >= ? and h.created_at < ?
    union all
    select h.decided_by, 0, 0, 1 from human_correction h
     where h.tenant_id = ? and h.decided_at >= ? and h.decided_at < ? and h.decided_by is not null
  ) a group by agent`;

type Row = Record<string, string | number | null>;
const ratio = (numerator: number, denominator: number) => (denominator ? numerator / denominator : null);
const num = (row: Row | undefined, key: string) => Number(row?.[key] ?? 0);
const orNull = (value: string | number | null | undefined) =>
  value === null || value === undefined ? null : Number(value);

export function businessFigures(row: Row | undefined, values: BusinessValues): BusinessFigures {
  const conversations = num(row, 'conversations');
  const resolved = num(row, 'resolved');
  const cost = num(row, 'cost');
  const responses = num(row, 'survey_responses');
  const botRevenue = num(row, 'bot_revenue');
  const humanCostAvoided = resolved * (values.humanConversationCostUsd ?? 0);
  const netBenefit = humanCostAvoided + botRevenue - cost;
  return {
    conversations,
    ratedConversations: num(row, 'rated'),
    csat: ratio(num(row, 'satisfied'), num(row, 'rated')),
    thumbsCsat: ratio(num(row, 'voted_satisfied'), num(row, 'voted')),
    surveysAsked: num(row, 'surveys_asked'),
    surveyResponses: responses,
    surveyResponseRate: ratio(responses, num(row, 'surveys_asked')),
    surveyAverageScore: responses ? num(row, 'survey_score_sum') / responses : null,
    surveyCsat: ratio(num(row, 'survey_satisfied'), responses),
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
    humanCostAvoidedUsd: humanCostAvoided,
    netBenefitUsd: netBenefit,
    roi: ratio(netBenefit, cost),
  };
}

/** Business metrics of the conversations a tenant's customers started in `range`, and agent productivity in it. */
export async function businessMetrics(
  em: EntityManager,
  input: { tenantId: string; range: TimeRange; values: BusinessValues },
): Promise<BusinessMetrics> {
  const { from, to } = checkRange(input.range);
  const connection = em.getConnection();
  const t = input.tenantId;
  const [[totals], activity, firstReplies, corrections] = await Promise.all([
    connection.execute<Row[]>(businessConversationSql, [t, from, to, t, t, input.values.conversionValueUsd ?? 0, t]),
    connection.execute<Row[]>(agentActivitySql, [t, from, to, t, from, to]),
    connection.execute<Row[]>(firstReplySql, [t, from, to]),
    connection.execute<Row[]>(correctionActivitySql, [t, from, to, t, from, to]),
  ]);
  const agents = new Map<string, AgentProductivity>();
  const agent = (name: string) => {
    let entry = agents.get(name);
    if (!entry) {
      entry = {
        agent: name,
        handoffsTaken: 0,
        agentReplies: 0,
        firstRepliesGiven: 0,
        averageFirstReplySeconds: null,
        medianFirstReplySeconds: null,
        correctionsWritten: 0,
        correctionsApproved: 0,
        correctionsReviewed: 0,
      };
      agents.set(name, entry);
    }
    return entry;
  };
  for (const row of activity)
    Object.assign(agent(String(row.agent)), { handoffsTaken: num(row, 'taken'), agentReplies: num(row, 'replies') });
  for (const row of firstReplies)
    Object.assign(agent(String(row.agent)), {
      firstRepliesGiven: num(row, 'given'),
      averageFirstReplySeconds: orNull(row.average_s),
      medianFirstReplySeconds: orNull(row.median_s),
    });
  for (const row of corrections)
    Object.assign(agent(String(row.agent)), {
      correctionsWritten: num(row, 'written'),
      correctionsApproved: num(row, 'approved'),
      correctionsReviewed: num(row, 'reviewed'),
    });
  return {
    totals: businessFigures(totals, input.values),
    values: input.values,
    agents: [...agents.values()].sort((a, b) => a.agent.localeCompare(b.agent)),
  };
}
