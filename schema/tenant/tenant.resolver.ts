import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import {
  getTenantSettings,
  updateTenantSecrets,
  updateTenantSettings,
  type TenantSettingsView,
} from '../../src/tenants/tenant-settings-service';
import { callerOf, type GraphqlContext } from '../common/context';
import type { FeedbackPromptFrequencyEnum } from '../common/enums';
import { TenantSecretsInput, TenantSettingsType, UpdateTenantSettingsInput } from './tenant.types';

function toSettings(view: TenantSettingsView): TenantSettingsType {
  const settings = view.settings;
  const routing = settings.routing ?? {};
  const models = routing.models ?? {};
  return {
    tenantId: view.tenantId,
    tenantName: view.tenantName,
    systemPrompt: settings.systemPrompt ?? null,
    routing: {
      cheapThreshold: routing.cheapThreshold ?? null,
      reasoningThreshold: routing.reasoningThreshold ?? null,
      longContextTokens: routing.longContextTokens ?? null,
      cheapModel: models.cheap ?? null,
      balancedModel: models.balanced ?? null,
      longContextModel: models['long-context'] ?? null,
      reasoningModel: models.reasoning ?? null,
      fallbackOrder: Array.isArray(routing.fallbackOrder) ? routing.fallbackOrder.map(String) : null,
    },
    feedbackPromptFrequency: (settings.feedbackPromptFrequency as FeedbackPromptFrequencyEnum | undefined) ?? null,
    feedbackPromptEvery: settings.feedbackPromptEvery ?? null,
    handoffTarget: settings.handoffTarget ?? null,
    secretsSet: view.secretsSet,
    updatedAt: view.updatedAt,
  };
}

@Resolver()
export class TenantResolver {
  @Authorized('users:manage')
  @Query(() => TenantSettingsType, { description: "The caller's tenant settings. Scope: users:manage." })
  async tenantSettings(@Ctx() context: GraphqlContext): Promise<TenantSettingsType> {
    return toSettings(await getTenantSettings(context.em, context.services.secretBox, callerOf(context).tenantId));
  }

  @Authorized('users:manage')
  @Mutation(() => TenantSettingsType, {
    description:
      'Validates and applies settings changes (routing, feedback frequency, handoff target, system prompt). Audited. Scope: users:manage.',
  })
  async updateTenantSettings(
    @Ctx() context: GraphqlContext,
    @Arg('input', () => UpdateTenantSettingsInput, { description: 'The changes.' }) input: UpdateTenantSettingsInput,
  ): Promise<TenantSettingsType> {
    const caller = callerOf(context);
    const view = await updateTenantSettings(context.em, context.services.secretBox, {
      tenantId: caller.tenantId,
      actor: caller.actor,
      change: { ...input, routing: input.routing ? { ...input.routing } : input.routing },
      catalogue: context.services.catalogue,
    });
    return toSettings(view);
  }

  @Authorized('users:manage')
  @Mutation(() => [String], {
    description:
      'Sets or clears tenant secrets (provider API keys, channel tokens); returns the names now set, never values. Audited (names only). Scope: users:manage.',
  })
  async setTenantSecrets(
    @Ctx() context: GraphqlContext,
    @Arg('input', () => TenantSecretsInput, { description: 'Secrets to set or clear.' }) input: TenantSecretsInput,
  ): Promise<string[]> {
    const caller = callerOf(context);
    return updateTenantSecrets(context.em, context.services.secretBox, {
      tenantId: caller.tenantId,
      actor: caller.actor,
      secrets: { ...input },
    });
  }
}
