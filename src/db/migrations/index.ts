import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261124000000Initial } from './Migration20261124000000Initial';
import { Migration20261124110000EngineProcessingLease } from './Migration20261124110000EngineProcessingLease';
import { Migration20261124140000WorkspacePostsAndAlerts } from './Migration20261124140000WorkspacePostsAndAlerts';
import { Migration20261124120000AnalyticsCoveringIndexes } from './Migration20261124120000AnalyticsCoveringIndexes';
import { Migration20261124120100ProviderUsageRollup } from './Migration20261124120100ProviderUsageRollup';
import { Migration20261124110100InteractionReplyIndex } from './Migration20261124110100InteractionReplyIndex';
import { Migration20261201160000ConsoleSessions } from './Migration20261201160000ConsoleSessions';
import { Migration20261201140000KnowledgeRetrieval } from './Migration20261201140000KnowledgeRetrieval';
import { Migration20261201120000OperatorsAndKnowledge } from './Migration20261201120000OperatorsAndKnowledge';
import { Migration20261201100000SlackSubmissions } from './Migration20261201100000SlackSubmissions';
import { Migration20261201150000LearningEvaluation } from './Migration20261201150000LearningEvaluation';
import { Migration20261201090000MessageSendState } from './Migration20261201090000MessageSendState';
import { Migration20261201090100ShardedUsageRollup } from './Migration20261201090100ShardedUsageRollup';
import { Migration20261201130000HandoffDesk } from './Migration20261201130000HandoffDesk';
import { Migration20261201170000AlertDeliveryRetries } from './Migration20261201170000AlertDeliveryRetries';
import { Migration20261201180000Experiments } from './Migration20261201180000Experiments';
import { Migration20261207170000BusinessMetrics } from './Migration20261207170000BusinessMetrics';
import { Migration20261201181000Rollouts } from './Migration20261201181000Rollouts';
import { Migration20261207170000TrainingSets } from './Migration20261207170000TrainingSets';
import { Migration20261207171000FineTuningJobs } from './Migration20261207171000FineTuningJobs';
import { Migration20261207170000SharedInstanceState } from './Migration20261207170000SharedInstanceState';
import { Migration20261207180000InstanceClaims } from './Migration20261207180000InstanceClaims';
import { Migration20261207200000AlertSilenceReason } from './Migration20261207200000AlertSilenceReason';
import { Migration20261207200000ApiKeyRevocationNotify } from './Migration20261207200000ApiKeyRevocationNotify';

/**
 * Committed migrations, in order. Listing them here (rather than scanning a
 * folder) works the same from ts-jest, tsx and the compiled build.
 */
export const migrationsList: MigrationObject[] = [
  { name: 'Migration20261124000000Initial', class: Migration20261124000000Initial },
  { name: 'Migration20261124140000WorkspacePostsAndAlerts', class: Migration20261124140000WorkspacePostsAndAlerts },
  { name: 'Migration20261124110000EngineProcessingLease', class: Migration20261124110000EngineProcessingLease },
  { name: 'Migration20261124120000AnalyticsCoveringIndexes', class: Migration20261124120000AnalyticsCoveringIndexes },
  { name: 'Migration20261124120100ProviderUsageRollup', class: Migration20261124120100ProviderUsageRollup },
  { name: 'Migration20261124110100InteractionReplyIndex', class: Migration20261124110100InteractionReplyIndex },
  { name: 'Migration20261201160000ConsoleSessions', class: Migration20261201160000ConsoleSessions },
  { name: 'Migration20261201140000KnowledgeRetrieval', class: Migration20261201140000KnowledgeRetrieval },
  { name: 'Migration20261201120000OperatorsAndKnowledge', class: Migration20261201120000OperatorsAndKnowledge },
  { name: 'Migration20261201100000SlackSubmissions', class: Migration20261201100000SlackSubmissions },
  { name: 'Migration20261201150000LearningEvaluation', class: Migration20261201150000LearningEvaluation },
  { name: 'Migration20261201090000MessageSendState', class: Migration20261201090000MessageSendState },
  { name: 'Migration20261201090100ShardedUsageRollup', class: Migration20261201090100ShardedUsageRollup },
  { name: 'Migration20261201130000HandoffDesk', class: Migration20261201130000HandoffDesk },
  { name: 'Migration20261201170000AlertDeliveryRetries', class: Migration20261201170000AlertDeliveryRetries },
  { name: 'Migration20261201180000Experiments', class: Migration20261201180000Experiments },
  { name: 'Migration20261201181000Rollouts', class: Migration20261201181000Rollouts },
  { name: 'Migration20261207170000BusinessMetrics', class: Migration20261207170000BusinessMetrics },
  { name: 'Migration20261207170000TrainingSets', class: Migration20261207170000TrainingSets },
  { name: 'Migration20261207171000FineTuningJobs', class: Migration20261207171000FineTuningJobs },
  { name: 'Migration20261207170000SharedInstanceState', class: Migration20261207170000SharedInstanceState },
  { name: 'Migration20261207180000InstanceClaims', class: Migration20261207180000InstanceClaims },
  { name: 'Migration20261207200000AlertSilenceReason', class: Migration20261207200000AlertSilenceReason },
  { name: 'Migration20261207200000ApiKeyRevocationNotify', class: Migration20261207200000ApiKeyRevocationNotify },
];
