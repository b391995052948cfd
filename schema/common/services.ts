import type { Orm } from '../../src/db/orm';
import type { CustomerChannelRegistry } from '../../src/engine/outbound';
import type { DomainEvents } from '../../src/events';
import type { Logger } from '../../src/logger';
import type { ModelCatalogue } from '../../src/providers/model-catalogue';
import type { ModelGateway } from '../../src/providers/types';
import type { ProviderHealth } from '../../src/providers/health';
import type { SecretBox } from '../../src/security/secret-box';
import type { RateLimiter } from '../../src/security/rate-limiter';
import type { FineTuningClientFactory } from '../../src/learning/fine-tuning/openai-fine-tuning-client';
import type { TrainingSetSource } from '../../src/learning/fine-tuning/training-set-source';

/**
 * The provider layer's health tracker as the control plane uses it: one per
 * process, with entries for the shared platform keys (aggregate, no tenant
 * data) and per tenant for tenants' own keys. Resolvers read and reset only
 * the caller's view. Absent when the service runs without the provider layer.
 */
export type ProviderHealthSource = Pick<ProviderHealth, 'snapshot' | 'reset'>;

/** What resolvers need beyond the request: passed once to `createGraphqlMounter`. */
export interface GraphqlServices {
  orm: Orm;
  logger: Logger;
  events?: DomainEvents;
  secretBox: SecretBox;
  providerHealth?: ProviderHealthSource;
  catalogue: ModelCatalogue;
  feedbackRateLimiter: RateLimiter;
  /** FEEDBACK_TOKEN_TTL_DAYS: days a public feedback token works (default 30). */
  feedbackTokenTtlDays?: number;
  /** The provider gateway customers' turns use: evaluations run through it. Absent without the provider layer. */
  gateway?: ModelGateway;
  /** OpenAI fine-tuning clients per tenant and the training data source. Absent: fine-tuning mutations say it is off. */
  fineTuning?: { clients: FineTuningClientFactory; trainingSets: TrainingSetSource };
  /** The running customer channels: agent replies and "the bot is back" notices go out through them. */
  customers?: CustomerChannelRegistry;
}
