import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { businessMetrics, businessValuesFrom } from '../src/analytics/business-metrics';
import { costAnalytics } from '../src/analytics/cost-analytics';
import { feedbackAnalytics } from '../src/analytics/feedback-analytics';
import { listFeedback } from '../src/analytics/feedback-listing';
import { learningAnalytics } from '../src/analytics/learning-analytics';
import { modelComparison } from '../src/analytics/model-comparison';
import { listProviderUsage } from '../src/analytics/provider-usage';
import { qualityMetrics, targetsFrom, type QualityFilter } from '../src/analytics/quality-metrics';
import type { TimeBucketName } from '../src/analytics/time-range';
import { Tenant } from '../src/db/entities';
import { versionBusinessMetrics } from '../src/learning/evaluation/version-business-metrics';
import { qualityBaseline, qualityServiceFigures, type QualityCut, type Range } from './analytics-baselines';
import {
  businessBaseline,
  businessServiceFigures,
  versionBusinessBaseline,
  versionBusinessServiceFigures,
} from './analytics-baselines-business';
import {
  comparisonBaseline,
  comparisonServiceFigures,
  learningBaseline,
  learningServiceFigures,
} from './analytics-baselines-learning';
import {
  costBaseline,
  costServiceFigures,
  feedbackBaseline,
  feedbackServiceFigures,
  pageBaseline,
  pageFigures,
} from './analytics-baselines-usage';
import type { Figures } from './analytics-figures';

/** A generated tenant as the cases see it: its API key (analytics:view) and one of its model versions. */
export interface BenchTenant {
  id: string;
  key: string;
  modelVersionId: string;
}

/**
 * One benchmarked question, asked three ways: through GraphQL over HTTP, by
 * calling the service as its resolver does, and as hand-written SQL straight
 * through `pg`. The last two return the same figures (checked on every run).
 */
export interface Case {
  name: string;
  graphql: (tenant: BenchTenant) => { query: string; variables: Record<string, unknown> };
  service: (em: EntityManager, tenant: BenchTenant) => Promise<Figures>;
  baseline: (db: pg.Pool, tenant: BenchTenant) => Promise<Figures>;
}

const QUALITY_FIGURES =
  'conversations botReplies answerRate handoffRate automationRate resolutionRate positiveFeedbackRate csat qualityScore averageResponseMs p95ResponseMs costUsd costPerConversation costPerResolution';
const QUALITY_SELECTION = `query($r: DateRangeInput!, $g: TimeBucket!, $f: QualityFilterInput) { qualityMetrics(range: $r, groupBy: $g, filter: $f) {
    totals { ${QUALITY_FIGURES} } previous { ${QUALITY_FIGURES} } trend { answerRate handoffRate resolutionRate qualityScore csat p95ResponseMs costPerConversation }
    series { bucketStart ${QUALITY_FIGURES} } targets { handoffRate positiveFeedbackRate } handoffOnTarget positiveFeedbackOnTarget } }`;

function qualityCase(
  name: string,
  range: Range,
  groupBy: TimeBucketName,
  cut: (tenant: BenchTenant) => QualityCut,
): Case {
  const graphqlFilter = (tenant: BenchTenant) => {
    const { channel, ...rest } = cut(tenant);
    return { ...rest, ...(channel ? { channel: channel.toUpperCase() } : {}) };
  };
  return {
    name,
    graphql: (tenant) => ({
      query: QUALITY_SELECTION,
      variables: { r: iso(range), g: groupBy.toUpperCase(), f: graphqlFilter(tenant) },
    }),
    service: async (em, tenant) => {
      const found = await em.findOne(Tenant, { id: tenant.id }, { fields: ['settings'] });
      const filter: QualityFilter = cut(tenant);
      const result = await qualityMetrics(em, {
        tenantId: tenant.id,
        range,
        groupBy,
        targets: targetsFrom(found?.settings),
        filter,
      });
      return qualityServiceFigures(result);
    },
    baseline: (db, tenant) => qualityBaseline(db, tenant.id, range, groupBy, cut(tenant)),
  };
}

const iso = (range: Range) => ({ from: range.from.toISOString(), to: range.to.toISOString() });

/** Every analytics query of the GraphQL API, over the last 90 days (quality: the last 45 and the 45 before). */
export function analyticsCases(to: Date): Case[] {
  const range = { from: new Date(to.getTime() - 90 * 86_400_000), to };
  const half = { from: new Date(to.getTime() - 45 * 86_400_000), to };
  const r = iso(range);
  return [
    {
      // The fixed cost of one authenticated GraphQL request over HTTP (parse cache, auth, context, JSON) next to one round trip.
      name: 'floor: { __typename } / select 1',
      graphql: () => ({ query: '{ __typename }', variables: {} }),
      service: async (em) => (await em.getConnection().execute('select 1'), {}),
      baseline: async (db) => (await db.query('select 1'), {}),
    },
    {
      name: 'feedbackAnalytics (90 d, DAY)',
      graphql: () => ({
        query: `query($r: DateRangeInput!) { feedbackAnalytics(range: $r, groupBy: DAY) {
          totals { botReplies totalFeedback helpfulRate notHelpfulRate averageImplicitSatisfaction feedbackWithComments continuationRate actionCompletionRate handoffRequestRate feedbackCollectionRate }
          series { bucketStart botReplies totalFeedback helpfulRate feedbackCollectionRate } } }`,
        variables: { r },
      }),
      service: async (em, tenant) =>
        feedbackServiceFigures(await feedbackAnalytics(em, { tenantId: tenant.id, range, groupBy: 'day' })),
      baseline: (db, tenant) => feedbackBaseline(db, tenant.id, range, 'day'),
    },
    {
      name: 'costAnalytics (90 d, DAY)',
      graphql: () => ({
        query: `query($r: DateRangeInput!) { costAnalytics(range: $r, groupBy: DAY) { baselineModel calls costUsd conversations costPerConversationUsd balancedCostUsd savingUsd savingRate
          byModel { provider model calls failedCalls totalTokens costUsd balancedCostUsd } series { bucketStart calls costUsd balancedCostUsd } } }`,
        variables: { r },
      }),
      service: async (em, tenant) =>
        costServiceFigures(await costAnalytics(em, { tenantId: tenant.id, range, groupBy: 'day' })),
      baseline: (db, tenant) => costBaseline(db, tenant.id, range, 'day'),
    },
    {
      name: 'feedback page (50, totalCount)',
      graphql: () => ({
        query:
          '{ feedback(first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { id interactionId helpful comment source votedAt createdAt } } }',
        variables: {},
      }),
      service: async (em, tenant) => {
        const page = await listFeedback(em, { tenantId: tenant.id, first: 50 });
        return pageFigures(
          page.nodes.map((node) => node.id),
          page.hasNextPage,
          page.totalCount,
        );
      },
      baseline: (db, tenant) => pageBaseline(db, tenant.id, 'interaction_feedback'),
    },
    {
      name: 'providerUsage page (50, totalCount)',
      graphql: () => ({
        query:
          '{ providerUsage(first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { id provider model totalTokens estimatedCostUsd latencyMs success createdAt } } }',
        variables: {},
      }),
      service: async (em, tenant) => {
        const page = await listProviderUsage(em, { tenantId: tenant.id, first: 50 });
        return pageFigures(
          page.nodes.map((node) => node.id),
          page.hasNextPage,
          page.totalCount,
        );
      },
      baseline: (db, tenant) => pageBaseline(db, tenant.id, 'provider_usage'),
    },
    qualityCase('qualityMetrics (45 d + previous, WEEK)', half, 'week', () => ({})),
    qualityCase('qualityMetrics (45 d + previous, DAY)', half, 'day', () => ({})),
    qualityCase('qualityMetrics (45 d, MONTH, channel API)', half, 'month', () => ({ channel: 'api' })),
    qualityCase('qualityMetrics (45 d, WEEK, model version)', half, 'week', (tenant) => ({
      modelVersionId: tenant.modelVersionId,
    })),
    qualityCase('qualityMetrics (45 d, WEEK, topic)', half, 'week', () => ({ topic: 'refunds' })),
    {
      name: 'businessMetrics (90 d)',
      graphql: () => ({
        query: `query($r: DateRangeInput!) { businessMetrics(range: $r) {
          totals { conversations ratedConversations csat thumbsCsat surveysAsked surveyResponses surveyResponseRate surveyAverageScore surveyCsat conversions convertedConversations conversionRate
                   resolvedConversations handedOffConversations costUsd costPerConversation costPerResolution botAttributedRevenueUsd assistedRevenueUsd humanCostAvoidedUsd netBenefitUsd roi }
          values { conversionValueUsd humanConversationCostUsd }
          agents { agent handoffsTaken agentReplies firstRepliesGiven averageFirstReplySeconds medianFirstReplySeconds correctionsWritten correctionsApproved correctionsReviewed } } }`,
        variables: { r },
      }),
      service: async (em, tenant) => {
        const found = await em.findOne(Tenant, { id: tenant.id }, { fields: ['settings'] });
        const values = businessValuesFrom(found?.settings);
        return businessServiceFigures(await businessMetrics(em, { tenantId: tenant.id, range, values }));
      },
      baseline: (db, tenant) => businessBaseline(db, tenant.id, range),
    },
    {
      name: 'versionBusinessMetrics (90 d)',
      graphql: () => ({
        query: `query($f: DateTime!, $t: DateTime!) { versionBusinessMetrics(from: $f, to: $t) {
          modelVersionId modelVersionNumber interactions votes thumbsUpRate implicitSatisfaction handoffRate } }`,
        variables: { f: r.from, t: r.to },
      }),
      service: async (em, tenant) =>
        versionBusinessServiceFigures(await versionBusinessMetrics(em, { tenantId: tenant.id, ...range })),
      baseline: (db, tenant) => versionBusinessBaseline(db, tenant.id, range),
    },
    ...(['version', 'model'] as const).map((dimension): Case => ({
      name: `modelComparison (90 d, ${dimension.toUpperCase()})`,
      graphql: () => ({
        query: `query($r: DateRangeInput!, $d: ComparisonDimension!) { modelComparison(range: $r, dimension: $d) { baseline recommended reasoning csv markdown
            arms { key replies conversations votes positiveFeedbackRate qualityScore handoffRate costPerReplyUsd averageResponseMs p95ResponseMs onFrontier }
            differences { key metric relativeDifference ciLow ciHigh pValue significant } } }`,
        variables: { r, d: dimension.toUpperCase() },
      }),
      service: async (em, tenant) =>
        comparisonServiceFigures(await modelComparison(em, { tenantId: tenant.id, range, dimension })),
      baseline: (db, tenant) => comparisonBaseline(db, tenant.id, range, dimension),
    })),
    {
      name: 'learningAnalytics (90 d)',
      graphql: () => ({
        query: `query($r: DateRangeInput!) { learningAnalytics(range: $r) {
          totals { botReplies feedbackCollectionRate commentedFeedbackShare downvotesCorrectedRate correctionsWritten correctionsApproved correctionsRejected correctionApprovalRate
                   averageHoursToApproval medianHoursToApproval correctionsInEffect averageHoursToEffect medianHoursToEffect articlesFromCorrections learningVelocityPerWeek }
          weeks { weekStart written approved rejected }
          articles { articleId question topic source uses conversations votes positiveFeedbackRate qualityScore handoffRate }
          gaps { topic replies downvotes handedOffConversations conversations handoffRate downvoteRate exampleConversationIds } } }`,
        variables: { r },
      }),
      service: async (em, tenant) =>
        learningServiceFigures(await learningAnalytics(em, { tenantId: tenant.id, range })),
      baseline: (db, tenant) => learningBaseline(db, tenant.id, range),
    },
  ];
}
