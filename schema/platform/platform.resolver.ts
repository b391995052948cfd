import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import {
  createTenantWithKey,
  listTenants,
  setTenantDisabled,
  type TenantSummary,
} from '../../src/tenants/tenant-admin';
import { callerOf, type GraphqlContext } from '../common/context';
import { CreateTenantInput, CreateTenantPayload, PlatformTenantType } from './platform.types';

function toTenant(summary: TenantSummary): PlatformTenantType {
  const { tenant } = summary;
  return {
    id: tenant.id,
    name: tenant.name,
    enabled: !tenant.disabledAt,
    disabledAt: tenant.disabledAt,
    activeKeys: summary.activeKeys,
    whatsappNumbers: summary.whatsappNumbers,
    createdAt: tenant.createdAt,
  };
}

async function summaryOf(context: GraphqlContext, id: string): Promise<PlatformTenantType> {
  const found = (await listTenants(context.em)).find((summary) => summary.tenant.id === id)!;
  return toTenant(found);
}

/** The platform's operations: only platform keys hold tenants:manage (`npm run tenants -- platform-key`). */
@Resolver()
export class PlatformResolver {
  @Authorized('tenants:manage')
  @Query(() => [PlatformTenantType], {
    description: 'Every tenant, by name. Scope: tenants:manage (platform keys only).',
  })
  async tenants(@Ctx() context: GraphqlContext): Promise<PlatformTenantType[]> {
    return (await listTenants(context.em)).map(toTenant);
  }

  @Authorized('tenants:manage')
  @Mutation(() => CreateTenantPayload, {
    description:
      "Creates a tenant and its first API key (returned once). Audited in the tenant's log. Scope: tenants:manage.",
  })
  async createTenant(
    @Ctx() context: GraphqlContext,
    @Arg('input', () => CreateTenantInput, { description: 'Name and first key.' }) input: CreateTenantInput,
  ): Promise<CreateTenantPayload> {
    const caller = callerOf(context);
    const created = await createTenantWithKey(context.em, {
      name: input.name,
      keyName: input.keyName,
      scopes: input.scopes,
      actor: caller.actor,
    });
    return {
      tenant: await summaryOf(context, created.tenant.id),
      apiKeyId: created.apiKey.id,
      apiKey: created.key,
      scopes: [...created.apiKey.scopes],
    };
  }

  @Authorized('tenants:manage')
  @Mutation(() => PlatformTenantType, {
    description:
      'Disables a tenant (by name or id): its keys are refused and its channels stop answering; nothing is deleted. Audited. Scope: tenants:manage.',
  })
  async disableTenant(
    @Ctx() context: GraphqlContext,
    @Arg('tenant', () => String, { description: 'Tenant name or id.' }) tenant: string,
  ): Promise<PlatformTenantType> {
    const row = await setTenantDisabled(context.em, { tenant, disabled: true, actor: callerOf(context).actor });
    return summaryOf(context, row.id);
  }

  @Authorized('tenants:manage')
  @Mutation(() => PlatformTenantType, {
    description: 'Enables a disabled tenant again. Audited. Scope: tenants:manage.',
  })
  async enableTenant(
    @Ctx() context: GraphqlContext,
    @Arg('tenant', () => String, { description: 'Tenant name or id.' }) tenant: string,
  ): Promise<PlatformTenantType> {
    const row = await setTenantDisabled(context.em, { tenant, disabled: false, actor: callerOf(context).actor });
    return summaryOf(context, row.id);
  }
}
