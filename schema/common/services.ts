import type { Orm } from '../../src/db/orm';
import type { AlertService } from '../../src/monitoring/alert-service';
import type { CustomerChannelRegistry } from '../../src/engine/outbound';
import type { DomainEvents } from '../../src/events';
import type { Logger } from '../../src/logger';
import type { ModelCatalogue } from '../../src/providers/model-catalogue';
import type { ModelGateway } from '../../src/providers/types';
import type { HealthView, ProviderHealthSnapshot } from '../../src/providers/health';
import type { ProviderId } from '../../src/providers/types';
import type { SecretBox } from '../../src/security/secret-box';
import type { FineTuningClientFactory } from '../../src/learning/fine-tuning/openai-fine-tuning-client';
import type { TrainingSetSource } from '../../src/learning/fine-tuning/training-set-source';
import type { HitLimiter } from '../../src/security/shared-rate-limiter';

/**
 * The provider layer's health as the control plane uses it, with entries for
 * the shared platform keys (aggregate, no tenant data) and per tenant for
 * tenants' own keys: in the service, every instance's (SharedProviderHealth);
 * in tests it may be one process's ProviderHealth. Resolvers read and reset
 * only the caller's view. Absent when the service runs without the provider layer.
 */
export interface ProviderHealthSource {
  snapshot(view?: HealthView): ProviderHealthSnapshot[] | Promise<ProviderHealthSnapshot[]>;
  reset(provider: ProviderId | undefined, view: HealthView): number | Promise<number>;
}

/** What resolvers need beyond the request: passed once to `createGraphqlMounter`. */
export interface GraphqlServices {
  orm: Orm;
  logger: Logger;
  events?: DomainEvents;
  secretBox: SecretBox;
  providerHealth?: ProviderHealthSource;
  catalogue: ModelCatalogue;
  /** Public feedback submissions per IP and per token (shared through PostgreSQL in the service). */
  feedbackRateLimiter: HitLimiter;
  /** FEEDBACK_TOKEN_TTL_DAYS: days a public feedback token works (default 30). */
  feedbackTokenTtlDays?: number;
  /** The provider gateway customers' turns use: evaluations run through it. Absent without the provider layer. */
  gateway?: ModelGateway;
  /** OpenAI fine-tuning clients per tenant and the training data source. Absent: fine-tuning mutations say it is off. */
  fineTuning?: { clients: FineTuningClientFactory; trainingSets: TrainingSetSource };
  /** The running customer channels: agent replies and "the bot is back" notices go out through them. */
  customers?: CustomerChannelRegistry;
  /** The service's alert service: acknowledging or silencing from the API updates the alert's messages too. */
  alerts?: AlertService;
}
