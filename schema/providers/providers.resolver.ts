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
import {
  ProviderDailySummaryType,
  ProviderHealthType,
  ProviderUsageConnection,
  ProviderUsageType,
} from './providers.types';

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
    @Arg('filter', () => ProviderUsageFilterInput, { nullable: true, description: 'Filters; all optional.' })
    filter: ProviderUsageFilterInput | null,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1–100 (default 20).' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' })
    after: string | null,
  ) {
    const interactionId = filter?.interactionId
      ? isUuid(filter.interactionId)
        ? filter.interactionId
        : NO_SUCH_ID
      : null;
    const page = await listProviderUsage(context.em, {
      tenantId: callerOf(context).tenantId,
      filter: { ...(filter ?? {}), interactionId },
      first,
      after,
    });
    return toConnection({ ...page, nodes: page.nodes.map(toUsage) });
  }

  @Authorized('analytics:view')
  @Query(() => [ProviderDailySummaryType], {
    description:
      'Daily roll-ups of provider calls for UTC days in [range.from, range.to), oldest first. Scope: analytics:view.',
  })
  async providerDailySummaries(
    @Ctx() context: GraphqlContext,
    @Arg('range', () => DateRangeInput, { description: 'Days whose UTC date is in [from, to).' }) range: DateRangeInput,
    @Arg('provider', () => String, { nullable: true, description: 'Only this provider.' }) provider: string | null,
    @Arg('model', () => String, { nullable: true, description: 'Only this model.' }) model: string | null,
  ): Promise<ProviderDailySummaryType[]> {
    const rows = await listProviderDailySummaries(context.em, {
      tenantId: callerOf(context).tenantId,
      range,
      provider,
      model,
    });
    return rows.map(({ tenant: _tenant, id: _id, createdAt: _createdAt, ...fields }) => fields);
  }

  /*
   * Provider health is kept per instance, per provider + model, and per key owner (see src/providers/health.ts),
   * and summed over every instance through PostgreSQL (src/providers/shared-health.ts).
   * A tenant sees the shared entries (the platform keys its traffic uses when it has no key of its own: aggregate
   * numbers, no other tenant's data) and the entries of its own keys, never another tenant's. It may reset only
   * its own keys' entries: the shared circuits protect every tenant, so no tenant can close them for the others;
   * they recover by themselves (a probe after CIRCUIT_COOLDOWN_MS) or with a restart by the operator.
   */
  @Authorized('analytics:view')
  @Query(() => [ProviderHealthType], {
    description:
      'Live health and circuit state, summed over every running instance, of every provider + model used in the health window: the shared platform keys ' +
      '(keyOwner "shared") and your own API keys (keyOwner "tenant"). Scope: analytics:view.',
  })
  async providerHealth(@Ctx() context: GraphqlContext): Promise<ProviderHealthType[]> {
    const caller = callerOf(context);
    const entries =
      (await context.services.providerHealth?.snapshot({ tenantId: caller.tenantId, includeShared: true })) ?? [];
    return entries.map((entry) => ({ ...entry, circuit: entry.circuit as CircuitStateEnum }));
  }

  @Authorized('users:manage')
  @Mutation(() => Int, {
    description:
      'Clears the health window and closes the circuit of your own API key for a provider (all your keys when omitted), e.g. after you replaced ' +
      'a revoked key. The shared platform keys are not affected (they protect every tenant and recover by themselves after the cooldown). ' +
      'Returns how many provider + model entries were reset (0 when you have no key of your own). Audited. Scope: users:manage.',
  })
  async resetProviderStats(
    @Ctx() context: GraphqlContext,
    @Arg('provider', () => ProviderIdEnum, { nullable: true, description: 'The provider to reset; all when omitted.' })
    provider: ProviderIdEnum | null,
  ): Promise<number> {
    const caller = callerOf(context);
    const health = context.services.providerHealth;
    const own = { tenantId: caller.tenantId };
    const matching = ((await health?.snapshot(own)) ?? []).filter((entry) => !provider || entry.provider === provider);
    // ProviderIdEnum's values are exactly the ProviderId strings.
    const reset = (await health?.reset((provider ?? undefined) as ProviderId | undefined, own)) ?? 0;
    recordAudit(context.em, {
      tenantId: caller.tenantId,
      actor: caller.actor,
      action: 'provider.stats.reset',
      targetType: 'ProviderHealth',
      targetId: provider ?? 'all',
      before: {
        keyOwner: 'tenant',
        entries: matching.map((entry) => ({
          provider: entry.provider,
          model: entry.model,
          calls: entry.calls,
          circuit: entry.circuit,
        })),
      },
      after: { reset },
    });
    await context.em.flush();
    return reset;
  }
}
