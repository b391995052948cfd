import { registerEnumType } from 'type-graphql';
import type {
  ChannelName,
  ConversationStatus,
  CorrectionCategory,
  CorrectionStatus,
  FeedbackPromptFrequency,
  FeedbackSource,
  MessageAuthor,
  MessageDirection,
} from '../../src/db/entities';
import type { CircuitState } from '../../src/providers/health';
import type { ProviderId } from '../../src/providers/types';

/*
 * GraphQL enums. TypeScript enums only here, because type-graphql registers
 * enums from enum objects; their values are the strings stored in the database,
 * so rows map to them without translation.
 */

export enum ChannelEnum {
  WHATSAPP = 'whatsapp',
  SLACK = 'slack',
  TERMINAL = 'terminal',
  API = 'api',
}
registerEnumType(ChannelEnum, { name: 'Channel', description: 'The chat platform a conversation happens on.' });

export enum FeedbackSourceEnum {
  WHATSAPP = 'whatsapp',
  API = 'api',
  SLACK = 'slack',
  TERMINAL = 'terminal',
}
registerEnumType(FeedbackSourceEnum, {
  name: 'FeedbackSource',
  description: 'Where a vote came from: a WhatsApp 👍/👎 button, the public API, an agent in Slack, the terminal chat.',
});

export enum CorrectionStatusEnum {
  PENDING = 'pending',
  APPROVED = 'approved',
  REJECTED = 'rejected',
}
registerEnumType(CorrectionStatusEnum, {
  name: 'CorrectionStatus',
  description: 'Where a correction is in the approval workflow. Only PENDING corrections can be approved or rejected.',
});

export enum CorrectionCategoryEnum {
  WRONG_FACTS = 'wrong_facts',
  TONE = 'tone',
  INCOMPLETE = 'incomplete',
  POLICY = 'policy',
  OTHER = 'other',
}
registerEnumType(CorrectionCategoryEnum, {
  name: 'CorrectionCategory',
  description: 'What was wrong with the bot reply.',
});

export enum ConversationStatusEnum {
  BOT = 'bot',
  HANDED_OFF = 'handed_off',
  CLOSED = 'closed',
}
registerEnumType(ConversationStatusEnum, {
  name: 'ConversationStatus',
  description: 'BOT: the bot answers; HANDED_OFF: a human agent does; CLOSED: finished.',
});

export enum MessageDirectionEnum {
  INBOUND = 'inbound',
  OUTBOUND = 'outbound',
}
registerEnumType(MessageDirectionEnum, {
  name: 'MessageDirection',
  description: 'INBOUND: from the customer; OUTBOUND: to the customer.',
});

export enum MessageAuthorEnum {
  CUSTOMER = 'customer',
  BOT = 'bot',
  AGENT = 'agent',
  SYSTEM = 'system',
}
registerEnumType(MessageAuthorEnum, { name: 'MessageAuthor', description: 'Who wrote a message.' });

export enum CircuitStateEnum {
  CLOSED = 'closed',
  OPEN = 'open',
  HALF_OPEN = 'half-open',
}
registerEnumType(CircuitStateEnum, {
  name: 'CircuitState',
  description:
    'CLOSED: the provider is used; OPEN: skipped after too many failures until the cooldown ends; HALF_OPEN: one probe call is allowed.',
});

export enum FeedbackPromptFrequencyEnum {
  ALWAYS = 'always',
  SOMETIMES = 'sometimes',
  NEVER = 'never',
}
registerEnumType(FeedbackPromptFrequencyEnum, {
  name: 'FeedbackPromptFrequency',
  description: 'How often bot replies carry 👍/👎 buttons.',
});

export enum ProviderIdEnum {
  OPENAI = 'openai',
  GEMINI = 'gemini',
  KNOWLEDGE_BASE = 'knowledge-base',
}
registerEnumType(ProviderIdEnum, {
  name: 'ProviderId',
  description: 'An LLM provider; KNOWLEDGE_BASE is the offline provider answering from approved answers.',
});

/**
 * Each enum's values must be exactly the union it exposes (the `as const` lists in src/): adding a
 * value on one side only is a compile error here. (`${Enum}` is the union of an enum's string values.)
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
function sameValues<A, B>(check: Same<A, B>): Same<A, B> {
  return check;
}
sameValues<`${ChannelEnum}`, ChannelName>(true);
sameValues<`${FeedbackSourceEnum}`, FeedbackSource>(true);
sameValues<`${CorrectionStatusEnum}`, CorrectionStatus>(true);
sameValues<`${CorrectionCategoryEnum}`, CorrectionCategory>(true);
sameValues<`${ConversationStatusEnum}`, ConversationStatus>(true);
sameValues<`${MessageDirectionEnum}`, MessageDirection>(true);
sameValues<`${MessageAuthorEnum}`, MessageAuthor>(true);
sameValues<`${CircuitStateEnum}`, CircuitState>(true);
sameValues<`${FeedbackPromptFrequencyEnum}`, FeedbackPromptFrequency>(true);
sameValues<`${ProviderIdEnum}`, ProviderId>(true);
