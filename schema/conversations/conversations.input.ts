import { Field, ID, InputType } from 'type-graphql';
import { ChannelEnum, ConversationStatusEnum } from '../common/enums';

@InputType({ description: 'Filters for conversations; all optional, combined with AND.' })
export class ConversationFilterInput {
  @Field(() => ConversationStatusEnum, { nullable: true, description: 'Only in this state.' })
  status?: ConversationStatusEnum | null;

  @Field(() => ChannelEnum, { nullable: true, description: 'Only on this channel.' })
  channel?: ChannelEnum | null;

  @Field(() => Date, { nullable: true, description: 'Created at or after this time.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Created before this time.' })
  to?: Date | null;

  @Field(() => ID, { nullable: true, description: 'Only this customer.' })
  contactId?: string | null;
}
