import type pg from 'pg';
import {
  agentActivitySql,
  businessConversationSql,
  correctionActivitySql,
  firstReplySql,
} from '../src/analytics/business-metrics';
import {
  articlePerformanceSql,
  correctionWeeksSql,
  learningCorrectionSql,
  learningFeedbackSql,
  topicGapSql,
} from '../src/analytics/learning-analytics';
import { comparisonSql } from '../src/analytics/model-comparison';
import { conversationSql, replySql } from '../src/analytics/quality-metrics';

/** One benchmarked question: through GraphQL over HTTP, and as hand-written SQL straight through `pg`. */
export interface Case {
  name: string;
  graphql: { query: string; variables: Record<string, unknown> };
  /** The same question in hand-written SQL, run through a plain pg pool (parallel statements stay parallel). */
  sql: (pool: pg.Pool, tenantId: string) => Promise<unknown>;
}

/** MikroORM's `?` placeholders to pg's `$n`. */
export function pgSql(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

const settings = (db: pg.Pool, tenantId: string) => db.query('select settings from tenant where id = $1', [tenantId]);

/** The issue-15 queries: quality (with a topic cut), business, model comparison and the feedback loop. */
export function newQueryCases(input: { from: Date; to: Date; range: { from: string; to: string } }): Case[] {
  const { from, to, range } = input;
  const previous = new Date(from.getTime() - (to.getTime() - from.getTime()));
  return [
    {
      name: 'qualityMetrics (90 days, WEEK)',
      graphql: {
        query: `query($r: DateRangeInput!) { qualityMetrics(range: $r, groupBy: WEEK) {
          totals { conversations botReplies answerRate handoffRate automationRate resolutionRate positiveFeedbackRate csat qualityScore averageResponseMs p95ResponseMs costUsd costPerConversation costPerResolution }
          previous { conversations resolutionRate } trend { resolutionRate handoffRate qualityScore }
          series { bucketStart conversations resolutionRate } targets { handoffRate } handoffOnTarget } }`,
        variables: { r: range },
      },
      sql: (db, tenantId) =>
        Promise.all([
          settings(db, tenantId),
          db.query(pgSql(conversationSql('week')), [tenantId, from, to]),
          db.query(pgSql(replySql('week')), [tenantId, from, to]),
          db.query(pgSql(conversationSql('week')), [tenantId, previous, from]),
          db.query(pgSql(replySql('week')), [tenantId, previous, from]),
        ]),
    },
    {
      name: 'qualityMetrics by topic (90 days, WEEK)',
      graphql: {
        query: `query($r: DateRangeInput!) { qualityMetrics(range: $r, groupBy: WEEK, filter: { topic: "refunds" }) {
          totals { conversations botReplies handoffRate resolutionRate positiveFeedbackRate qualityScore p95ResponseMs } series { bucketStart conversations } } }`,
        variables: { r: range },
      },
      sql: (db, tenantId) => {
        const topical = `i.article_ids->>0 in (select ka.id::text from knowledge_article ka where ka.tenant_id = ? and ka.topic = ?)`;
        const conversation = ` and exists (select 1 from agent_interaction i where i.conversation_id = c.id and ${topical})`;
        const reply = ` and ${topical}`;
        const topic = [tenantId, 'refunds'];
        return Promise.all([
          settings(db, tenantId),
          db.query(pgSql(conversationSql('week', conversation)), [tenantId, from, to, ...topic]),
          db.query(pgSql(replySql('week', reply)), [tenantId, from, to, ...topic]),
          db.query(pgSql(conversationSql('week', conversation)), [tenantId, previous, from, ...topic]),
          db.query(pgSql(replySql('week', reply)), [tenantId, previous, from, ...topic]),
        ]);
      },
    },
    {
      name: 'businessMetrics (90 days)',
      graphql: {
        query: `query($r: DateRangeInput!) { businessMetrics(range: $r) {
          totals { conversations csat thumbsCsat surveyResponseRate surveyAverageScore surveyCsat conversionRate costPerConversation costPerResolution botAttributedRevenueUsd assistedRevenueUsd humanCostAvoidedUsd netBenefitUsd roi }
          values { conversionValueUsd } agents { agent handoffsTaken agentReplies averageFirstReplySeconds medianFirstReplySeconds correctionsWritten correctionsApproved correctionsReviewed } } }`,
        variables: { r: range },
      },
      sql: (db, tenantId) =>
        Promise.all([
          settings(db, tenantId),
          db.query(pgSql(businessConversationSql), [tenantId, from, to, 0]),
          db.query(pgSql(agentActivitySql), [tenantId, from, to, tenantId, from, to]),
          db.query(pgSql(firstReplySql), [tenantId, from, to]),
          db.query(pgSql(correctionActivitySql), [tenantId, from, to, tenantId, from, to]),
        ]),
    },
    {
      name: 'modelComparison (90 days, VERSION)',
      graphql: {
        query: `query($r: DateRangeInput!) { modelComparison(range: $r) { baseline recommended reasoning
          arms { key replies positiveFeedbackRate qualityScore handoffRate costPerReplyUsd p95ResponseMs onFrontier }
          differences { key metric relativeDifference pValue significant } } }`,
        variables: { r: range },
      },
      sql: (db, tenantId) => db.query(pgSql(comparisonSql('version')), [tenantId, from, to]),
    },
    {
      name: 'learningAnalytics (90 days)',
      graphql: {
        query: `query($r: DateRangeInput!) { learningAnalytics(range: $r) {
          totals { feedbackCollectionRate commentedFeedbackShare downvotesCorrectedRate correctionApprovalRate medianHoursToApproval medianHoursToEffect articlesFromCorrections learningVelocityPerWeek }
          weeks { weekStart written approved } articles { articleId uses positiveFeedbackRate } gaps { topic handoffRate downvoteRate } } }`,
        variables: { r: range },
      },
      sql: (db, tenantId) =>
        Promise.all([
          db.query(pgSql(learningFeedbackSql), [tenantId, tenantId, from, to]),
          db.query(pgSql(learningCorrectionSql), [
            tenantId,
            from,
            to,
            tenantId,
            from,
            tenantId,
            from,
            to,
            tenantId,
            from,
            to,
          ]),
          db.query(pgSql(correctionWeeksSql), [tenantId, from, to, tenantId, from, to]),
          db.query(pgSql(articlePerformanceSql), [tenantId, from, to, tenantId, 20]),
          db.query(pgSql(topicGapSql), [tenantId, from, to, 10]),
        ]),
    },
  ];
}
