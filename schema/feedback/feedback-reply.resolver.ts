import { Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import type { GraphqlContext } from '../common/context';
import { FeedbackType } from './feedback.types';

/**
 * Where a feedback row's reply lives, so a reviewer can read what was voted on
 * and open the transcript (the admin console's feedback review). One batched
 * query per page through the interaction loader.
 */
@Resolver(() => FeedbackType)
export class FeedbackReplyResolver {
  @FieldResolver(() => ID, {
    nullable: true,
    description: 'The conversation of the bot reply; open it with conversation(id).',
  })
  async conversationId(@Root() feedback: FeedbackType, @Ctx() context: GraphqlContext): Promise<string | null> {
    const interaction = await context.loaders.interaction.load(feedback.interactionId);
    return interaction?.conversation.id ?? null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'The text of the bot reply the feedback is about.' })
  async replyText(@Root() feedback: FeedbackType, @Ctx() context: GraphqlContext): Promise<string | null> {
    const interaction = await context.loaders.interaction.load(feedback.interactionId);
    return interaction?.replyText ?? null;
  }
}
