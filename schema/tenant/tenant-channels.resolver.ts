import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { BusinessProfile } from '../../src/db/entities';
import { badInput } from '../../src/errors';
import { getBusinessProfile, updateBusinessProfile } from '../../src/tenants/business-profile';
import { readSlackSettings, setSlackSettings, type SlackSettingsChange } from '../../src/tenants/slack-settings';
import { getTenant, readTenantSecrets } from '../../src/tenants/tenant-service';
import { updateTenantSecrets } from '../../src/tenants/tenant-settings-service';
import { readWhatsAppSettings, updateWhatsAppSettings } from '../../src/tenants/whatsapp-settings';
import { callerOf, type GraphqlContext } from '../common/context';
import {
  BusinessProfileInput,
  BusinessProfileType,
  SlackSettingsInput,
  SlackSettingsType,
  WhatsAppSettingsInput,
  WhatsAppSettingsType,
} from './tenant-channels.types';

function toProfile(profile: BusinessProfile): BusinessProfileType {
  return {
    companyName: profile.companyName ?? null,
    supportPhone: profile.supportPhone ?? null,
    supportEmail: profile.supportEmail ?? null,
    website: profile.website ?? null,
    liveChatUrl: profile.liveChatUrl ?? null,
    openingHours: profile.openingHours ?? null,
    values: Object.entries(profile.values ?? {})
      .map(([name, value]) => ({ name, value }))
      .sort((left, right) => left.name.localeCompare(right.name)),
  };
}

/** A tenant's channels and business profile, managed with its own users:manage key. */
@Resolver()
export class TenantChannelsResolver {
  @Authorized('users:manage')
  @Query(() => WhatsAppSettingsType, {
    nullable: true,
    description: 'The WhatsApp binding, or null when none is set. Scope: users:manage.',
  })
  async whatsAppSettings(@Ctx() context: GraphqlContext): Promise<WhatsAppSettingsType | null> {
    const settings = await readWhatsAppSettings(context.em, context.services.secretBox, callerOf(context).tenantId);
    if (!settings) return null;
    return {
      numbers: settings.numbers,
      messagingServiceSid: settings.messagingServiceSid ?? null,
      accountSid: settings.accountSid ?? null,
      completedActionKeywords: settings.completedActionKeywords ?? [],
      authTokenSet: settings.authTokenSet,
    };
  }

  @Authorized('users:manage')
  @Mutation(() => WhatsAppSettingsType, {
    description:
      'Binds the tenant to its WhatsApp sender(s), validated (SID formats, numbers not bound elsewhere). Audited (the token as "changed" only). Scope: users:manage.',
  })
  async updateWhatsAppSettings(
    @Ctx() context: GraphqlContext,
    @Arg('input', () => WhatsAppSettingsInput, { description: 'The binding.' }) input: WhatsAppSettingsInput,
  ): Promise<WhatsAppSettingsType> {
    const caller = callerOf(context);
    await updateWhatsAppSettings(context.em, context.services.secretBox, {
      tenantId: caller.tenantId,
      actor: caller.actor,
      settings: {
        numbers: input.numbers ?? [],
        messagingServiceSid: input.messagingServiceSid,
        accountSid: input.accountSid,
        completedActionKeywords: input.completedActionKeywords,
        authToken: input.authToken,
      },
    });
    return (await this.whatsAppSettings(context))!;
  }

  @Authorized('users:manage')
  @Query(() => SlackSettingsType, { description: 'The Slack settings with their defaults. Scope: users:manage.' })
  async slackSettings(@Ctx() context: GraphqlContext): Promise<SlackSettingsType> {
    const tenantId = callerOf(context).tenantId;
    const tenant = await getTenant(context.em, tenantId);
    const secrets = await readTenantSecrets(context.em, context.services.secretBox, tenantId);
    return { ...readSlackSettings(tenant.settings), botTokenSet: Boolean(secrets.slackBotToken) };
  }

  @Authorized('users:manage')
  @Mutation(() => SlackSettingsType, {
    description:
      "Changes the Slack channels, approvers, sampling, idle release and the tenant's own bot token, validated. Audited (the token by name only). Scope: users:manage.",
  })
  async updateSlackSettings(
    @Ctx() context: GraphqlContext,
    @Arg('input', () => SlackSettingsInput, { description: 'The changes.' }) input: SlackSettingsInput,
  ): Promise<SlackSettingsType> {
    const caller = callerOf(context);
    const { botToken, ...change } = input;
    if (typeof botToken === 'string' && !/^xox[bp]-[A-Za-z0-9-]{10,}$/.test(botToken.trim())) {
      throw badInput('botToken: must be a Slack bot token (xoxb-…, from OAuth & Permissions)', { field: 'botToken' });
    }
    const defined = Object.fromEntries(
      Object.entries(change).filter(([, value]) => value !== undefined),
    ) as SlackSettingsChange;
    // One transaction: a refused token leaves the channel settings as they were, and the other way round.
    await context.em.transactional(async (tx) => {
      if (Object.keys(defined).length)
        await setSlackSettings(tx, { tenantId: caller.tenantId, actor: caller.actor, change: defined });
      if (botToken !== undefined) {
        await updateTenantSecrets(tx, context.services.secretBox, {
          tenantId: caller.tenantId,
          actor: caller.actor,
          secrets: { slackBotToken: botToken },
        });
      }
    });
    return this.slackSettings(context);
  }

  // Readable by every key that reads the knowledge base (the Knowledge page shows it read-only); changed with users:manage.
  @Authorized('analytics:view', 'corrections:write', 'users:manage')
  @Query(() => BusinessProfileType, {
    description:
      'The business profile (what fills {{Name}} placeholders). Scope: analytics:view, corrections:write or users:manage.',
  })
  async businessProfile(@Ctx() context: GraphqlContext): Promise<BusinessProfileType> {
    return toProfile(await getBusinessProfile(context.em, callerOf(context).tenantId));
  }

  @Authorized('users:manage')
  @Mutation(() => BusinessProfileType, {
    description: 'Changes the business profile, validated. Audited. Scope: users:manage.',
  })
  async updateBusinessProfile(
    @Ctx() context: GraphqlContext,
    @Arg('input', () => BusinessProfileInput, { description: 'The changes.' }) input: BusinessProfileInput,
  ): Promise<BusinessProfileType> {
    const caller = callerOf(context);
    const { values, ...fields } = input;
    const profile = await updateBusinessProfile(context.em, {
      tenantId: caller.tenantId,
      actor: caller.actor,
      change: {
        ...fields,
        ...(values ? { values: Object.fromEntries(values.map((entry) => [entry.name, entry.value ?? null])) } : {}),
      },
    });
    return toProfile(profile);
  }
}
