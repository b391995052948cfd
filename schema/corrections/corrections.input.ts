import { Field, ID, InputType, Int } from 'type-graphql';
import { CorrectionCategoryEnum, CorrectionStatusEnum } from '../common/enums';

@InputType({ description: 'Filters for the corrections list; all optional, combined with AND.' })
export class CorrectionFilterInput {
  @Field(() => CorrectionStatusEnum, { nullable: true, description: 'Only corrections in this state.' })
  status?: CorrectionStatusEnum | null;

  @Field(() => CorrectionCategoryEnum, { nullable: true, description: 'Only this category.' })
  category?: CorrectionCategoryEnum | null;

  @Field(() => String, { nullable: true, description: 'Only by this author (apikey:<id> or slack:<user>).' })
  authorId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only corrections of this bot turn.' })
  interactionId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Written at or after this time.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Written before this time.' })
  to?: Date | null;
}

@InputType({ description: 'A correction of a bot reply. Give interactionId, or customerMessage and originalReply.' })
export class CreateCorrectionInput {
  @Field(() => ID, { nullable: true, description: 'The bot turn corrected; fills customerMessage and originalReply.' })
  interactionId?: string | null;

  @Field(() => String, { nullable: true, description: 'What the customer asked (required without interactionId).' })
  customerMessage?: string | null;

  @Field(() => String, { nullable: true, description: "The bot's reply (required without interactionId)." })
  originalReply?: string | null;

  @Field(() => String, { description: 'The better reply, 1–4000 characters.' })
  correctedReply!: string;

  @Field(() => String, { nullable: true, description: 'Why the reply was wrong (at most 1000 characters).' })
  reason?: string | null;

  @Field(() => CorrectionCategoryEnum, { nullable: true, description: 'What was wrong (default OTHER).' })
  category?: CorrectionCategoryEnum | null;

  @Field(() => Int, { nullable: true, description: 'Proposed quality 0–5.' })
  qualityScore?: number | null;

  @Field(() => String, { nullable: true, description: 'Display name of the author.' })
  authorName?: string | null;
}
