import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { AlertsResolver } from './alerts/alerts.resolver';
import { AccessResolver } from './access/access.resolver';
import { AnalyticsResolver } from './analytics/analytics.resolver';
import { BusinessAnalyticsResolver } from './analytics/business.resolver';
import { guardArguments } from './common/argument-guard';
import { scopeAuthChecker } from './common/auth-checker';
import { ConversationsResolver, MessageResolver } from './conversations/conversations.resolver';
import { CorrectionsResolver } from './corrections/corrections.resolver';
import { FeedbackResolver } from './feedback/feedback.resolver';
import { FeedbackReplyResolver } from './feedback/feedback-reply.resolver';
import { LearningResolver } from './learning/learning.resolver';
import { TrainingResolver } from './learning/training.resolver';
import { FineTuningResolver } from './learning/fine-tuning.resolver';
import { HandoffsResolver } from './handoffs/handoffs.resolver';
import { ExperimentsResolver } from './experiments/experiments.resolver';
import { RolloutsResolver } from './experiments/rollouts.resolver';
import { ProvidersResolver } from './providers/providers.resolver';
import { KnowledgeResolver } from './knowledge/knowledge.resolver';
import { PlatformResolver } from './platform/platform.resolver';
import { TenantChannelsResolver } from './tenant/tenant-channels.resolver';
import { TenantResolver } from './tenant/tenant.resolver';

export const resolvers = [
  AnalyticsResolver,
  BusinessAnalyticsResolver,
  FeedbackResolver,
  CorrectionsResolver,
  ProvidersResolver,
  ConversationsResolver,
  MessageResolver,
  TenantResolver,
  FeedbackReplyResolver,
  KnowledgeResolver,
  PlatformResolver,
  TenantChannelsResolver,
  LearningResolver,
  TrainingResolver,
  HandoffsResolver,
  ExperimentsResolver,
  RolloutsResolver,
  FineTuningResolver,
  AlertsResolver,
  AccessResolver,
] as const;

let built: Promise<GraphQLSchema> | null = null;

/** The control-plane schema, built once per process (type-graphql metadata is global). */
export function buildControlPlaneSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers,
    authChecker: scopeAuthChecker,
    // One DateTime scalar (ISO-8601 strings) for every Date field.
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
  }).then(guardArguments);
  return built;
}
