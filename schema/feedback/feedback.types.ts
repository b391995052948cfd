import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { connectionOf } from '../common/connection.types';
import { FeedbackSourceEnum } from '../common/enums';

@ObjectType('Feedback', {
  simpleResolvers: true,
  description: 'What is known of how one bot reply landed: the latest explicit vote and the implicit signals.',
})
export class FeedbackType {
  @Field(() => ID, { description: 'Feedback row id.' })
  id!: string;

  @Field(() => ID, { description: 'The bot turn (AgentInteraction) this feedback is about.' })
  interactionId!: string;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Latest vote: true 👍, false 👎, null when the customer did not vote.',
  })
  helpful!: boolean | null;

  @Field(() => String, { nullable: true, description: 'Comment left with the latest vote.' })
  comment!: string | null;

  @Field(() => FeedbackSourceEnum, { nullable: true, description: 'Where the latest vote came from.' })
  source!: FeedbackSourceEnum | null;

  @Field(() => Date, { nullable: true, description: 'When the latest vote was cast.' })
  votedAt!: Date | null;

  @Field(() => Int, { description: 'How many votes were cast on this reply (changes of mind included).' })
  voteCount!: number;

  @Field(() => Boolean, { description: 'The customer wrote again after this reply.' })
  continuedConversation!: boolean;

  @Field(() => Boolean, { description: 'The customer completed the action the reply was about.' })
  completedAction!: boolean;

  @Field(() => Boolean, { description: 'The customer asked for a human after this reply.' })
  requestedHandoff!: boolean;

  @Field(() => Int, { nullable: true, description: 'Milliseconds the customer took to answer this reply.' })
  responseTimeMs!: number | null;

  @Field(() => Float, { nullable: true, description: 'Satisfaction in [0, 1] estimated from the implicit signals.' })
  implicitSatisfaction!: number | null;

  @Field(() => Date, { description: 'When the row was created (first vote or signal).' })
  createdAt!: Date;

  @Field(() => Date, { description: 'Last change.' })
  updatedAt!: Date;
}

export const FeedbackConnection = connectionOf(FeedbackType, 'Feedback', 'A page of feedback rows.');

@ObjectType('FeedbackReceipt', { simpleResolvers: true, description: 'Result of the public submitFeedback mutation.' })
export class FeedbackReceipt {
  @Field(() => Boolean, { description: 'The vote as recorded.' })
  helpful!: boolean;

  @Field(() => String, { nullable: true, description: 'The comment as recorded (trimmed, at most 2,000 characters).' })
  comment!: string | null;

  @Field(() => Date, { description: 'When it was recorded.' })
  recordedAt!: Date;
}
