import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';

@ObjectType('PlatformTenant', {
  simpleResolvers: true,
  description: 'A tenant as the platform sees it (no settings, no secrets).',
})
export class PlatformTenantType {
  @Field(() => ID, { description: 'Tenant id.' })
  id!: string;

  @Field(() => String, { description: 'Unique name.' })
  name!: string;

  @Field(() => Boolean, { description: 'False once disabled: its keys are refused and its channels stop answering.' })
  enabled!: boolean;

  @Field(() => Date, { nullable: true, description: 'When it was disabled.' })
  disabledAt!: Date | null;

  @Field(() => Int, { description: 'API keys not revoked.' })
  activeKeys!: number;

  @Field(() => [String], { description: 'WhatsApp numbers bound to it.' })
  whatsappNumbers!: string[];

  @Field(() => Date, { description: 'Created.' })
  createdAt!: Date;
}

@ObjectType('CreateTenantPayload', {
  simpleResolvers: true,
  description: 'The new tenant and its first API key (shown only here).',
})
export class CreateTenantPayload {
  @Field(() => PlatformTenantType, { description: 'The tenant.' })
  tenant!: PlatformTenantType;

  @Field(() => ID, { description: 'Id of the first key.' })
  apiKeyId!: string;

  @Field(() => String, { description: 'The first key itself: store it now, it is never shown again.' })
  apiKey!: string;

  @Field(() => [String], { description: 'Scopes of the first key.' })
  scopes!: string[];
}

@InputType({ description: 'A new tenant.' })
export class CreateTenantInput {
  @Field(() => String, { description: 'Unique name (letters, digits, spaces, . _ -).' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Label of the first key (default "first key").' })
  keyName?: string | null;

  @Field(() => [String], {
    nullable: true,
    description:
      'Scopes of the first key (default all tenant scopes: analytics:view, corrections:write, users:manage).',
  })
  scopes?: string[] | null;
}
