import { Field, ID, InputType } from 'type-graphql';

@InputType({ description: 'Filters for provider calls; all optional, combined with AND.' })
export class ProviderUsageFilterInput {
  @Field(() => Date, { nullable: true, description: 'Made at or after this time.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Made before this time.' })
  to?: Date | null;

  @Field(() => String, { nullable: true, description: 'Provider id.' })
  provider?: string | null;

  @Field(() => String, { nullable: true, description: 'Model id.' })
  model?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Only successful (true) or failed (false) calls.' })
  success?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Only failover calls (true) or first attempts (false).' })
  failover?: boolean | null;

  @Field(() => ID, { nullable: true, description: 'Only calls of this bot turn.' })
  interactionId?: string | null;
}
