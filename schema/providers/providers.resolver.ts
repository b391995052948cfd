import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { listProviderDailySummaries, listProviderUsage } from '../../src/analytics/provider-usage';
import { recordAudit } from '../../src/audit/audit-service';
import type { ProviderUsage } from '../../src/db/entities';
import { isUuid, NO_SUCH_ID } from '../../src/ids';
import type { ProviderId } from '../../src/providers/types';
import { DateRangeInput } from '../common/common.input';
import { toConnection } from '../common/connection.types';
import { callerOf, type GraphqlContext } from '../common/context';
import { type CircuitStateEnum, ProviderIdEnum } from '../common/enums';
import { ProviderUsageFilterInput } from './providers.input';
import { ProviderDailySummaryType, ProviderHealthType, ProviderUsageConnection, ProviderUsageType } from './providers.types';

function toUsage(row: ProviderUsage): ProviderUsageType {
  const { tenant: _tenant, ...fields } = row;
  return fields;
}

@Resolver()
export class ProvidersResolver {
  @Authorized('analytics:view')
  @Query(() => ProviderUsageConnection, { description: 'Provider calls, newest first. Scope: analytics:view.' })
  async providerUsage(
    @Ctx() context: GraphqlContext,
    @Arg('filter', () => ProviderUsageFilterInput, { nullable: true, description: 'Filters; all optional.' }) filter: ProviderUsageFilterInput | null,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1–100 (default 20).' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) after: string | null,
  ) {
    const interactionId = filter?.interactionId ? (isUuid(filter.interactionId) ? filter.interactionId : NO_SUCH_ID) : null;
    const page = await listProviderUsage(context.em, { tenantId: callerOf(context).tenantId, filter: { ...(filter ?? {}), interactionId }, first, after });
    return toConnection({ ...page, nodes: page.nodes.map(toUsage) });
  }

  @Authorized('analytics:view')
  @Query(() => [ProviderDailySummaryType], { description: 'Daily roll-ups of provider calls for UTC days in [range.from, range.to), oldest first. Scope: analytics:view.' })
  async providerDailySummaries(
    @Ctx() context: GraphqlContext,
    @Arg('range', () => DateRangeInput, { description: 'Days whose UTC date is in [from, to).' }) range: DateRangeInput,
    @Arg('provider', () => String, { nullable: true, description: 'Only this provider.' }) provider: string | null,
    @Arg('model', () => String, { nullable: true, description: 'Only this model.' }) model: string | null,
  ): Promise<ProviderDailySummaryType[]> {
    const rows = await listProviderDailySummaries(context.em, { tenantId: callerOf(context).tenantId, range, provider, model });
    return rows.map(({ tenant: _tenant, id: _id, createdAt: _createdAt, ...fields }) => fields);
  }

  @Authorized('analytics:view')
  @Query(() => [ProviderHealthType], {
    description: 'Live health and circuit state of every provider + model used since start-up (process-wide: providers are shared by all tenants). Scope: analytics:view.',
  })
  providerHealth(@Ctx() context: GraphqlContext): ProviderHealthType[] {
    callerOf(context);
    return (context.services.providerHealth?.snapshot() ?? []).map((entry) => ({ ...entry, circuit: entry.circuit as CircuitStateEnum }));
  }

  @Authorized('users:manage')
  @Mutation(() => Int, {
    description:
      'Clears the health window and closes the circuit of a provider (every provider when omitted), e.g. after an outage is fixed. ' +
      'Process-wide. Returns how many provider + model entries were reset. Audited. Scope: users:manage.',
  })
  async resetProviderStats(
    @Ctx() context: GraphqlContext,
    @Arg('provider', () => ProviderIdEnum, { nullable: true, description: 'The provider to reset; all when omitted.' }) provider: ProviderIdEnum | null,
  ): Promise<number> {
    const caller = callerOf(context);
    const health = context.services.providerHealth;
    const matching = (health?.snapshot() ?? []).filter((entry) => !provider || entry.provider === provider);
    // ProviderIdEnum's values are exactly the ProviderId strings.
    health?.reset((provider ?? undefined) as ProviderId | undefined);
    recordAudit(context.em, {
      tenantId: caller.tenantId, actor: caller.actor, action: 'provider.stats.reset', targetType: 'ProviderHealth', targetId: provider ?? 'all',
      before: { entries: matching.map((entry) => ({ provider: entry.provider, model: entry.model, calls: entry.calls, circuit: entry.circuit })) },
      after: { reset: matching.length },
    });
    await context.em.flush();
    return matching.length;
  }
}
