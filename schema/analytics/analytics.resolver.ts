import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { costAnalytics } from '../../src/analytics/cost-analytics';
import { feedbackAnalytics } from '../../src/analytics/feedback-analytics';
import { qualityMetrics, targetsFrom } from '../../src/analytics/quality-metrics';
import { Tenant } from '../../src/db/entities';
import { DateRangeInput, TimeBucket } from '../common/common.input';
import { callerOf, type GraphqlContext } from '../common/context';
import { CostAnalyticsType, FeedbackAnalyticsType } from './analytics.types';
import { QualityFilterInput, QualityMetricsType } from './quality.types';

@Resolver()
export class AnalyticsResolver {
  @Authorized('analytics:view')
  @Query(() => FeedbackAnalyticsType, {
    description: 'Feedback totals and a time series over bot replies created in the range. Scope: analytics:view.',
  })
  async feedbackAnalytics(
    @Ctx() context: GraphqlContext,
    @Arg('range', () => DateRangeInput, { description: 'Bot replies created in [from, to); at most 731 days.' })
    range: DateRangeInput,
    @Arg('groupBy', () => TimeBucket, { defaultValue: TimeBucket.DAY, description: 'Bucket size of the series (UTC).' })
    groupBy: TimeBucket,
  ): Promise<FeedbackAnalyticsType> {
    return feedbackAnalytics(context.em, { tenantId: callerOf(context).tenantId, range, groupBy });
  }

  @Authorized('analytics:view')
  @Query(() => CostAnalyticsType, {
    description:
      'LLM cost by provider and model, per conversation, and the saving against the balanced model. USD. Scope: analytics:view.',
  })
  async costAnalytics(
    @Ctx() context: GraphqlContext,
    @Arg('range', () => DateRangeInput, { description: 'Provider calls made in [from, to); at most 731 days.' })
    range: DateRangeInput,
    @Arg('groupBy', () => TimeBucket, { defaultValue: TimeBucket.DAY, description: 'Bucket size of the series (UTC).' })
    groupBy: TimeBucket,
  ): Promise<CostAnalyticsType> {
    return costAnalytics(context.em, {
      tenantId: callerOf(context).tenantId,
      range,
      groupBy,
      catalogue: context.services.catalogue,
    });
  }

  @Authorized('analytics:view')
  @Query(() => QualityMetricsType, {
    description:
      "Quality and business metrics (answer, handoff, automation and resolution rates, positive feedback, CSAT, quality score 1–5, response times, cost per conversation and per resolution) over the range, per UTC bucket, with the previous period, the trend and the tenant's targets. Formulas in each field's description. Scope: analytics:view.",
  })
  async qualityMetrics(
    @Ctx() context: GraphqlContext,
    @Arg('range', () => DateRangeInput, {
      description: 'Conversations started (and replies sent) in [from, to); at most 731 days.',
    })
    range: DateRangeInput,
    @Arg('groupBy', () => TimeBucket, { defaultValue: TimeBucket.DAY, description: 'Bucket size of the series (UTC).' })
    groupBy: TimeBucket,
    @Arg('filter', () => QualityFilterInput, {
      nullable: true,
      description: 'Cut by channel, model version and topic.',
    })
    filter?: QualityFilterInput | null,
  ): Promise<QualityMetricsType> {
    const tenantId = callerOf(context).tenantId;
    const tenant = await context.em.findOne(Tenant, { id: tenantId }, { fields: ['settings'] });
    return qualityMetrics(context.em, {
      tenantId,
      range,
      groupBy,
      targets: targetsFrom(tenant?.settings),
      filter: filter ?? {},
    });
  }
}
