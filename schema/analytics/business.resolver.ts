import { Arg, Authorized, Ctx, Float, Int, Mutation, Query, Resolver } from 'type-graphql';
import { businessMetrics, businessValuesFrom } from '../../src/analytics/business-metrics';
import { learningAnalytics } from '../../src/analytics/learning-analytics';
import { exportComparison, modelComparison } from '../../src/analytics/model-comparison';
import { recordConversion } from '../../src/business/conversions';
import { Tenant } from '../../src/db/entities';
import { badInput } from '../../src/errors';
import { DateRangeInput } from '../common/common.input';
import { callerOf, type GraphqlContext } from '../common/context';
import { BusinessMetricsType, RecordConversionInput, RecordConversionPayload } from './business.types';
import { ComparisonDimensionEnum, ModelComparisonType } from './comparison.types';
import { LearningAnalyticsType } from './learning.types';

@Resolver()
export class BusinessAnalyticsResolver {
  @Authorized('analytics:view')
  @Query(() => BusinessMetricsType, {
    description:
      "Business metrics of the conversations started in the range: CSAT (👍/👎 and the 1–5 survey), conversion rate, cost per conversation and per resolution, revenue attribution and ROI from the tenant's settings.business values, and agent productivity. Formulas in each field's description and docs/metrics.md. Scope: analytics:view.",
  })
  async businessMetrics(
    @Ctx() context: GraphqlContext,
    @Arg('range', () => DateRangeInput, { description: 'Conversations started in [from, to); at most 731 days.' })
    range: DateRangeInput,
  ): Promise<BusinessMetricsType> {
    const tenantId = callerOf(context).tenantId;
    const tenant = await context.em.findOne(Tenant, { id: tenantId }, { fields: ['settings'] });
    return businessMetrics(context.em, { tenantId, range, values: businessValuesFrom(tenant?.settings) });
  }

  @Authorized('analytics:view')
  @Query(() => ModelComparisonType, {
    description:
      'Model versions (or provider models) side by side on the live replies of the range: quality, cost, latency, handoffs; each against the baseline with significance; the cost/quality frontier and a recommendation; CSV, Markdown and JSON exports. Scope: analytics:view.',
  })
  async modelComparison(
    @Ctx() context: GraphqlContext,
    @Arg('range', () => DateRangeInput, { description: 'Bot replies sent in [from, to); at most 731 days.' })
    range: DateRangeInput,
    @Arg('dimension', () => ComparisonDimensionEnum, {
      defaultValue: ComparisonDimensionEnum.VERSION,
      description: 'Compare model versions or provider models.',
    })
    dimension: ComparisonDimensionEnum,
    @Arg('keys', () => [String], { nullable: true, description: 'Only these arms (default: every arm with replies).' })
    keys: string[] | null,
    @Arg('baseline', () => String, { nullable: true, description: 'The arm to test against (default: most replies).' })
    baseline: string | null,
    @Arg('maxQualityDrop', () => Float, {
      defaultValue: 0.02,
      description: 'Largest relative quality-score drop a recommended arm may have (0.02 = 2 %).',
    })
    maxQualityDrop: number,
  ): Promise<ModelComparisonType> {
    if (!(maxQualityDrop >= 0 && maxQualityDrop <= 1))
      throw badInput('maxQualityDrop must be between 0 and 1', { field: 'maxQualityDrop' });
    const comparison = await modelComparison(context.em, {
      tenantId: callerOf(context).tenantId,
      range,
      dimension,
      keys,
      baseline,
      maxQualityDrop,
    });
    return {
      ...comparison,
      dimension: comparison.dimension as ComparisonDimensionEnum,
      csv: exportComparison(comparison, 'csv'),
      markdown: exportComparison(comparison, 'markdown'),
      json: exportComparison(comparison, 'json'),
    };
  }

  @Authorized('analytics:view')
  @Query(() => LearningAnalyticsType, {
    description:
      'Feedback-loop analytics over the range: feedback collection and quality, corrections per week, time to approval and to effect, learning velocity, article performance and the topics to teach next. Scope: analytics:view.',
  })
  async learningAnalytics(
    @Ctx() context: GraphqlContext,
    @Arg('range', () => DateRangeInput, { description: '[from, to); at most 731 days.' }) range: DateRangeInput,
    @Arg('articleLimit', () => Int, { defaultValue: 20, description: 'Articles listed (1–200).' }) articleLimit: number,
    @Arg('gapLimit', () => Int, { defaultValue: 10, description: 'Topics listed (1–100).' }) gapLimit: number,
  ): Promise<LearningAnalyticsType> {
    if (!(articleLimit >= 1 && articleLimit <= 200))
      throw badInput('articleLimit must be 1–200', { field: 'articleLimit' });
    if (!(gapLimit >= 1 && gapLimit <= 100)) throw badInput('gapLimit must be 1–100', { field: 'gapLimit' });
    return learningAnalytics(context.em, { tenantId: callerOf(context).tenantId, range, articleLimit, gapLimit });
  }

  @Authorized('corrections:write')
  @Mutation(() => RecordConversionPayload, {
    description:
      'Records a completed action (an order, a booking) a conversation led to, for the conversion rate and ROI of businessMetrics. Idempotent on externalId. Audited. Scope: corrections:write.',
  })
  async recordConversion(
    @Ctx() context: GraphqlContext,
    @Arg('input', () => RecordConversionInput, { description: 'The completed action.' }) input: RecordConversionInput,
  ): Promise<RecordConversionPayload> {
    const caller = callerOf(context);
    const { conversion, created } = await recordConversion(context.em, {
      ...input,
      tenantId: caller.tenantId,
      by: caller.actor,
    });
    return { id: conversion.id, created };
  }
}
