import { AgentInteraction } from './agent-interaction.entity';
import { Alert } from './alert.entity';
import { ApiKey } from './api-key.entity';
import { AuditLog } from './audit-log.entity';
import { Contact } from './contact.entity';
import { Conversation } from './conversation.entity';
import { HumanCorrection } from './human-correction.entity';
import { InteractionFeedback } from './interaction-feedback.entity';
import { KnowledgeArticle } from './knowledge-article.entity';
import { KnowledgeArticleRevision } from './knowledge-article-revision.entity';
import { PlatformApiKey } from './platform-api-key.entity';
import { Message } from './message.entity';
import { ProviderDailySummary } from './provider-daily-summary.entity';
import { ProviderUsage } from './provider-usage.entity';
import { SlackSubmission } from './slack-submission.entity';
import { ProviderUsageRollup } from './provider-usage-rollup.entity';
import { Tenant } from './tenant.entity';
import { TenantScoped } from './tenant-scoped';
import { WorkspacePost } from './workspace-post.entity';
import { ConsoleSession } from './console-session.entity';
import { DeploymentEvent } from './deployment-event.entity';
import { DatasetVersion, EvaluationCase, EvaluationDataset } from './evaluation-dataset.entity';
import { EvaluationResult, EvaluationRun } from './evaluation-run.entity';
import { ModelVersion } from './model-version.entity';
import { Experiment } from './experiment.entity';
import { Rollout } from './rollout.entity';
import { Conversion } from './conversion.entity';
import { CsatSurvey } from './csat-survey.entity';
import { OfflineModel, TrainingSet } from './training-set.entity';
import { FineTuningJob } from './fine-tuning-job.entity';
import { ServiceInstance } from './service-instance.entity';

export * from './agent-interaction.entity';
export * from './api-key.entity';
export * from './audit-log.entity';
export * from './contact.entity';
export * from './conversation.entity';
export * from './human-correction.entity';
export * from './interaction-feedback.entity';
export * from './knowledge-article.entity';
export * from './knowledge-article-revision.entity';
export * from './platform-api-key.entity';
export * from './message.entity';
export * from './provider-daily-summary.entity';
export * from './provider-usage.entity';
export * from './provider-usage-rollup.entity';
export * from './tenant.entity';
export * from './tenant-scoped';
export * from './alert.entity';
export * from './workspace-post.entity';
export * from './console-session.entity';
export * from './slack-submission.entity';
export * from './model-version.entity';
export * from './deployment-event.entity';
export * from './evaluation-dataset.entity';
export * from './evaluation-run.entity';
export * from './experiment.entity';
export * from './rollout.entity';
export * from './conversion.entity';
export * from './csat-survey.entity';
export * from './training-set.entity';
export * from './fine-tuning-job.entity';
export * from './service-instance.entity';

/** Every entity the ORM knows; add new ones here. */
export const entities = [
  TenantScoped,
  Tenant,
  Contact,
  Conversation,
  Message,
  AgentInteraction,
  ProviderUsage,
  ProviderDailySummary,
  InteractionFeedback,
  HumanCorrection,
  KnowledgeArticle,
  ApiKey,
  AuditLog,
  WorkspacePost,
  Alert,
  ConsoleSession,
  KnowledgeArticleRevision,
  PlatformApiKey,
  SlackSubmission,
  ModelVersion,
  DeploymentEvent,
  EvaluationDataset,
  EvaluationCase,
  DatasetVersion,
  EvaluationRun,
  EvaluationResult,
  ProviderUsageRollup,
  Experiment,
  Rollout,
  Conversion,
  CsatSurvey,
  TrainingSet,
  OfflineModel,
  FineTuningJob,
  ServiceInstance,
];
