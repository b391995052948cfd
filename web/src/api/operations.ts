import { ALERT_OPERATIONS } from './alert-operations';
import { ACCESS_OPERATIONS } from './access-operations';
import { gql } from './client';
import { EXPERIMENT_OPERATIONS } from './experiment-operations';
import { HANDOFF_OPERATIONS } from './handoff-operations';
import { KNOWLEDGE_OPERATIONS } from './knowledge-operations';
import { LEARNING_OPERATIONS } from './learning-operations';
import { TENANT_SETTINGS_OPERATIONS } from './tenant-settings-operations';
import { TRAINING_OPERATIONS } from './training-operations';

/**
 * Every GraphQL operation the console sends, typed by hand from
 * schema/schema.graphql. A unit test (test/unit/web/operations.test.ts)
 * validates each document against the emitted schema, so a renamed field
 * fails the build's tests rather than a page at run time.
 */
export type Bucket = 'DAY' | 'WEEK' | 'MONTH';
export type Channel = 'API' | 'SLACK' | 'TERMINAL' | 'WHATSAPP';
export type ConversationStatus = 'BOT' | 'CLOSED' | 'HANDED_OFF';
export type CorrectionStatus = 'PENDING' | 'APPROVED' | 'REJECTED';
export type CorrectionCategory = 'INCOMPLETE' | 'OTHER' | 'POLICY' | 'TONE' | 'WRONG_FACTS';
export type FeedbackPromptFrequency = 'ALWAYS' | 'NEVER' | 'SOMETIMES';
export interface DateRange {
  from: string;
  to: string;
}
export interface PageInfo {
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface FeedbackFigures {
  botReplies: number;
  totalFeedback: number;
  helpfulCount: number;
  notHelpfulCount: number;
  helpfulRate: number | null;
  notHelpfulRate: number | null;
  feedbackCollectionRate: number | null;
  feedbackWithComments: number;
  handoffRequestRate: number | null;
  continuationRate: number | null;
  actionCompletionRate: number | null;
  averageImplicitSatisfaction: number | null;
}
export interface FeedbackSeriesPoint extends FeedbackFigures {
  bucketStart: string;
}
export interface CostSeriesPoint {
  bucketStart: string;
  costUsd: number;
  balancedCostUsd: number;
  calls: number;
  totalTokens: number;
}
export interface CostByModel {
  provider: string;
  model: string;
  calls: number;
  failedCalls: number;
  costUsd: number;
  balancedCostUsd: number;
  totalTokens: number;
}
export interface CostFigures {
  costUsd: number;
  balancedCostUsd: number;
  savingUsd: number;
  savingRate: number | null;
  baselineModel: string;
  calls: number;
  conversations: number;
  costPerConversationUsd: number | null;
  totalTokens: number;
}

const FEEDBACK_FIGURES = `botReplies totalFeedback helpfulCount notHelpfulCount helpfulRate notHelpfulRate feedbackCollectionRate
  feedbackWithComments handoffRequestRate continuationRate actionCompletionRate averageImplicitSatisfaction`;
const COST_FIGURES =
  'costUsd balancedCostUsd savingUsd savingRate baselineModel calls conversations costPerConversationUsd totalTokens';

export const OVERVIEW = gql<
  {
    feedbackAnalytics: { totals: FeedbackFigures; series: FeedbackSeriesPoint[] };
    previousFeedback: { totals: FeedbackFigures };
    costAnalytics: CostFigures & { byModel: CostByModel[]; series: CostSeriesPoint[] };
    previousCost: CostFigures;
    providerUsage: { nodes: { latencyMs: number; success: boolean }[] };
  },
  { range: DateRange; previous: DateRange; groupBy: Bucket; since: string }
>(`query Overview($range: DateRangeInput!, $previous: DateRangeInput!, $groupBy: TimeBucket!, $since: DateTime) {
  feedbackAnalytics(range: $range, groupBy: $groupBy) {
    totals { ${FEEDBACK_FIGURES} }
    series { bucketStart ${FEEDBACK_FIGURES} }
  }
  previousFeedback: feedbackAnalytics(range: $previous, groupBy: MONTH) { totals { ${FEEDBACK_FIGURES} } }
  costAnalytics(range: $range, groupBy: $groupBy) {
    ${COST_FIGURES}
    byModel { provider model calls failedCalls costUsd balancedCostUsd totalTokens }
    series { bucketStart costUsd balancedCostUsd calls totalTokens }
  }
  previousCost: costAnalytics(range: $previous, groupBy: MONTH) { ${COST_FIGURES} }
  providerUsage(first: 100, filter: { from: $since }) { nodes { latencyMs success } }
}`);

export interface Feedback {
  id: string;
  interactionId: string;
  helpful: boolean | null;
  comment: string | null;
  source: string | null;
  votedAt: string | null;
  createdAt: string;
  requestedHandoff: boolean;
  implicitSatisfaction: number | null;
  conversationId?: string | null;
  replyText?: string | null;
}
export interface BotReply {
  interactionId: string;
  provider: string;
  model: string;
  routingReason: string;
  complexityScore: number;
  costUsd: number;
  latencyMs: number;
  totalTokens: number;
  cacheHit: boolean;
  failover: boolean;
  feedback: Pick<Feedback, 'id' | 'helpful' | 'comment' | 'source' | 'votedAt'> | null;
}
export interface ConversationMessage {
  id: string;
  author: 'AGENT' | 'BOT' | 'CUSTOMER' | 'SYSTEM';
  direction: 'INBOUND' | 'OUTBOUND';
  text: string;
  createdAt: string;
  deliveryStatus: string | null;
  botReply: BotReply | null;
}
export interface ConversationSummary {
  id: string;
  channel: Channel;
  status: ConversationStatus;
  customerName: string | null;
  contactId: string;
  startedAt: string;
  lastActivityAt: string;
  handedOffAt: string | null;
  handoffReason: string | null;
}

export const CONVERSATIONS = gql<
  { conversations: { totalCount: number; pageInfo: PageInfo; nodes: ConversationSummary[] } },
  {
    first: number;
    after?: string | null;
    filter: { channel?: Channel; status?: ConversationStatus; from?: string; to?: string };
  }
>(`query Conversations($first: Int, $after: String, $filter: ConversationFilterInput) {
  conversations(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { endCursor hasNextPage }
    nodes { id channel status customerName contactId startedAt lastActivityAt handedOffAt handoffReason }
  }
}`);

export const CONVERSATION = gql<
  { conversation: (ConversationSummary & { closedAt: string | null; messages: ConversationMessage[] }) | null },
  { id: string }
>(`query Conversation($id: ID!) {
  conversation(id: $id) {
    id channel status customerName contactId startedAt lastActivityAt handedOffAt handoffReason closedAt
    messages {
      id author direction text createdAt deliveryStatus
      botReply {
        interactionId provider model routingReason complexityScore costUsd latencyMs totalTokens cacheHit failover
        feedback { id helpful comment source votedAt }
      }
    }
  }
}`);

export const FEEDBACK_LIST = gql<
  { feedback: { totalCount: number; pageInfo: PageInfo; nodes: Feedback[] } },
  {
    first: number;
    after?: string | null;
    filter: { helpful?: boolean; hasComment?: boolean; voted?: boolean; channel?: Channel };
  }
>(`query FeedbackList($first: Int, $after: String, $filter: FeedbackFilterInput) {
  feedback(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { endCursor hasNextPage }
    nodes { id interactionId helpful comment source votedAt createdAt requestedHandoff implicitSatisfaction conversationId replyText }
  }
}`);

export interface Correction {
  id: string;
  status: CorrectionStatus;
  category: CorrectionCategory;
  customerMessage: string | null;
  originalReply: string;
  correctedReply: string;
  reason: string | null;
  qualityScore: number | null;
  authorId: string;
  authorName: string | null;
  interactionId: string | null;
  createdAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
  rejectionReason: string | null;
}
const CORRECTION_FIELDS = `id status category customerMessage originalReply correctedReply reason qualityScore authorId authorName
  interactionId createdAt decidedAt decidedBy rejectionReason`;

export const CORRECTIONS = gql<
  { corrections: { totalCount: number; pageInfo: PageInfo; nodes: Correction[] } },
  { first: number; after?: string | null; filter: { status?: CorrectionStatus; interactionId?: string } }
>(`query Corrections($first: Int, $after: String, $filter: CorrectionFilterInput) {
  corrections(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { endCursor hasNextPage }
    nodes { ${CORRECTION_FIELDS} }
  }
}`);

export const CREATE_CORRECTION = gql<
  { createCorrection: Correction },
  {
    input: {
      interactionId: string;
      correctedReply: string;
      category?: CorrectionCategory;
      reason?: string;
      qualityScore?: number;
    };
  }
>(
  `mutation CreateCorrection($input: CreateCorrectionInput!) { createCorrection(input: $input) { ${CORRECTION_FIELDS} } }`,
);

export const APPROVE_CORRECTION = gql<
  { approveCorrection: { correction: Correction; knowledgeArticleId: string } },
  { id: string; qualityScore?: number | null }
>(
  `mutation ApproveCorrection($id: ID!, $qualityScore: Int) {
  approveCorrection(id: $id, qualityScore: $qualityScore) { knowledgeArticleId correction { ${CORRECTION_FIELDS} } }
}`,
);

export const REJECT_CORRECTION = gql<{ rejectCorrection: Correction }, { id: string; reason: string }>(
  `mutation RejectCorrection($id: ID!, $reason: String!) { rejectCorrection(id: $id, reason: $reason) { ${CORRECTION_FIELDS} } }`,
);

export interface ProviderHealth {
  /** 'shared': the platform keys every tenant without its own uses; 'tenant': this tenant's own key. */
  keyOwner: 'shared' | 'tenant';
  provider: string;
  model: string;
  circuit: 'CLOSED' | 'HALF_OPEN' | 'OPEN';
  calls: number;
  successes: number;
  failures: number;
  failureRate: number;
  averageLatencyMs: number | null;
  p95LatencyMs: number | null;
  lastErrorCode: string | null;
  lastFailureAt: string | null;
  circuitOpenedAt: string | null;
  windowMinutes: number;
}
export interface ProviderDailySummary {
  day: string;
  provider: string;
  model: string;
  calls: number;
  failures: number;
  costUsd: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  totalTokens: number;
}
export interface ProviderUsage {
  id: string;
  createdAt: string;
  provider: string;
  model: string;
  success: boolean;
  errorCode: string | null;
  latencyMs: number;
  estimatedCostUsd: number;
  totalTokens: number;
  failover: boolean;
  routingReason: string | null;
}

export const PROVIDERS = gql<
  {
    providerHealth: ProviderHealth[];
    providerDailySummaries: ProviderDailySummary[];
    providerUsage: { totalCount: number; nodes: ProviderUsage[] };
    costAnalytics: { costUsd: number; byModel: CostByModel[] };
  },
  { range: DateRange; since: string }
>(`query Providers($range: DateRangeInput!, $since: DateTime) {
  providerHealth { keyOwner provider model circuit calls successes failures failureRate averageLatencyMs p95LatencyMs lastErrorCode lastFailureAt circuitOpenedAt windowMinutes }
  providerDailySummaries(range: $range) { day provider model calls failures costUsd latencyP50Ms latencyP95Ms totalTokens }
  providerUsage(first: 25, filter: { from: $since }) {
    totalCount
    nodes { id createdAt provider model success errorCode latencyMs estimatedCostUsd totalTokens failover routingReason }
  }
  costAnalytics(range: $range) { costUsd byModel { provider model calls failedCalls costUsd balancedCostUsd totalTokens } }
}`);

export const RESET_PROVIDER_STATS = gql<
  { resetProviderStats: number },
  { provider?: 'GEMINI' | 'KNOWLEDGE_BASE' | 'OPENAI' | null }
>(`mutation ResetProviderStats($provider: ProviderId) { resetProviderStats(provider: $provider) }`);

export interface RoutingSettings {
  cheapModel: string | null;
  balancedModel: string | null;
  reasoningModel: string | null;
  longContextModel: string | null;
  cheapThreshold: number | null;
  reasoningThreshold: number | null;
  longContextTokens: number | null;
  fallbackOrder: string[] | null;
}
export interface TenantSettings {
  tenantId: string;
  tenantName: string;
  systemPrompt: string | null;
  feedbackPromptFrequency: FeedbackPromptFrequency | null;
  feedbackPromptEvery: number | null;
  handoffTarget: string | null;
  secretsSet: string[];
  updatedAt: string;
  routing: RoutingSettings;
}
const SETTINGS_FIELDS = `tenantId tenantName systemPrompt feedbackPromptFrequency feedbackPromptEvery handoffTarget secretsSet updatedAt
  routing { cheapModel balancedModel reasoningModel longContextModel cheapThreshold reasoningThreshold longContextTokens fallbackOrder }`;

export const TENANT_SETTINGS = gql<{ tenantSettings: TenantSettings }>(
  `query TenantSettings { tenantSettings { ${SETTINGS_FIELDS} } }`,
);

export const UPDATE_TENANT_SETTINGS = gql<
  { updateTenantSettings: TenantSettings },
  {
    input: {
      systemPrompt?: string | null;
      feedbackPromptFrequency?: FeedbackPromptFrequency;
      feedbackPromptEvery?: number;
      handoffTarget?: string | null;
      routing?: Partial<RoutingSettings>;
    };
  }
>(
  `mutation UpdateTenantSettings($input: UpdateTenantSettingsInput!) { updateTenantSettings(input: $input) { ${SETTINGS_FIELDS} } }`,
);

export const SET_TENANT_SECRETS = gql<
  { setTenantSecrets: string[] },
  { input: Partial<Record<'openaiApiKey' | 'geminiApiKey' | 'slackBotToken' | 'twilioAuthToken', string | null>> }
>(`mutation SetTenantSecrets($input: TenantSecretsInput!) { setTenantSecrets(input: $input) }`);

/** Every document, for the schema validation test. */
export const ALL_OPERATIONS = {
  OVERVIEW,
  CONVERSATIONS,
  CONVERSATION,
  FEEDBACK_LIST,
  CORRECTIONS,
  CREATE_CORRECTION,
  APPROVE_CORRECTION,
  REJECT_CORRECTION,
  PROVIDERS,
  RESET_PROVIDER_STATS,
  TENANT_SETTINGS,
  UPDATE_TENANT_SETTINGS,
  SET_TENANT_SECRETS,
  ...KNOWLEDGE_OPERATIONS,
  ...LEARNING_OPERATIONS,
  ...EXPERIMENT_OPERATIONS,
  ...HANDOFF_OPERATIONS,
  ...ALERT_OPERATIONS,
  ...TRAINING_OPERATIONS,
  ...ACCESS_OPERATIONS,
  ...TENANT_SETTINGS_OPERATIONS,
};
