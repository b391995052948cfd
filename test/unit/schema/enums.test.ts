import 'reflect-metadata';
import {
  CHANNEL_NAMES,
  CONVERSATION_STATUSES,
  CORRECTION_CATEGORIES,
  CORRECTION_STATUSES,
  FEEDBACK_PROMPT_FREQUENCIES,
  FEEDBACK_SOURCES,
  MESSAGE_AUTHORS,
  MESSAGE_DIRECTIONS,
} from '../../../src/db/entities';
import { PROVIDER_IDS } from '../../../src/providers/types';
import {
  ChannelEnum,
  ConversationStatusEnum,
  CorrectionCategoryEnum,
  CorrectionStatusEnum,
  FeedbackPromptFrequencyEnum,
  FeedbackSourceEnum,
  MessageAuthorEnum,
  MessageDirectionEnum,
  ProviderIdEnum,
} from '../../../schema/common/enums';

/** GraphQL enums carry the stored strings: each must list exactly the values of the src/ list it exposes. */
describe('GraphQL enums match the id lists in src/', () => {
  it.each([
    ['Channel', ChannelEnum, CHANNEL_NAMES],
    ['FeedbackSource', FeedbackSourceEnum, FEEDBACK_SOURCES],
    ['CorrectionStatus', CorrectionStatusEnum, CORRECTION_STATUSES],
    ['CorrectionCategory', CorrectionCategoryEnum, CORRECTION_CATEGORIES],
    ['ConversationStatus', ConversationStatusEnum, CONVERSATION_STATUSES],
    ['MessageDirection', MessageDirectionEnum, MESSAGE_DIRECTIONS],
    ['MessageAuthor', MessageAuthorEnum, MESSAGE_AUTHORS],
    ['FeedbackPromptFrequency', FeedbackPromptFrequencyEnum, FEEDBACK_PROMPT_FREQUENCIES],
    ['ProviderId', ProviderIdEnum, PROVIDER_IDS],
  ] as const)('%s', (_name, graphqlEnum, list) => {
    expect(Object.values(graphqlEnum).sort()).toEqual([...list].sort());
  });
});
