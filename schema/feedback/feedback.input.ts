import { Field, InputType } from 'type-graphql';
import { ChannelEnum, FeedbackSourceEnum } from '../common/enums';

@InputType({ description: 'Filters for the feedback list; all optional, combined with AND.' })
export class FeedbackFilterInput {
  @Field(() => Date, { nullable: true, description: 'Created at or after this time.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Created before this time.' })
  to?: Date | null;

  @Field(() => Boolean, { nullable: true, description: 'Only 👍 (true) or only 👎 (false).' })
  helpful?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'true: only rows with a vote; false: only rows with implicit signals alone.',
  })
  voted?: boolean | null;

  @Field(() => FeedbackSourceEnum, { nullable: true, description: 'Only votes from this source.' })
  source?: FeedbackSourceEnum | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only rows with a comment; false: only rows without.' })
  hasComment?: boolean | null;

  @Field(() => ChannelEnum, { nullable: true, description: 'Only replies in conversations on this channel.' })
  channel?: ChannelEnum | null;
}
