import type { InstanceIdentity } from '../instances/service-instance';
import type { Registry } from 'prom-client';
import type { Config } from '../config';
import type { Orm } from '../db/orm';
import type { DomainEvents } from '../events';
import type { Logger } from '../logger';
import { createModelGateway, type ModelGatewayDependencies, type ProviderGateway } from '../providers/gateway';
import { startKnowledgeListener, type KnowledgeListener } from '../learning/knowledge-listener';
import { startInstanceBus, TENANT_CHANGED, type InstanceBus } from '../db/shared-state/instance-bus';
import type { SecretBox } from '../security/secret-box';
import { createConversationEngine, type ConversationEngineService } from './conversation-engine';

export interface ConversationStack {
  gateway: ProviderGateway;
  engine: ConversationEngineService;
  /** Knowledge written by any instance reaches this one's index (null when KB_LISTEN is false). */
  knowledgeListener: KnowledgeListener | null;
  /** Invalidations from every instance (tenant settings and secrets, provider-health resets); null without a database URL. */
  bus: InstanceBus | null;
  /** Unsubscribes the gateway from events and stops listening. */
  close(): Promise<void>;
}

/**
 * The provider layer and the engine on top of it, configured from Config: the
 * one recipe shared by the service (main.ts) and the terminal chat, so both
 * answer the same way.
 */
export function createConversationStack(dependencies: {
  config: Config;
  orm: Orm;
  events: DomainEvents;
  logger: Logger;
  secretBox?: SecretBox | null;
  registry?: Registry;
  /** This process as a service instance (claims name it; dead instances' claims are taken over). */
  instance?: InstanceIdentity | null;
  /** Replace provider adapters (benchmarks use an instant in-process provider). */
  providers?: ModelGatewayDependencies['providers'];
}): ConversationStack {
  const { config, orm, events, logger } = dependencies;
  const url = orm.config.get('clientUrl');
  const bus = url ? startInstanceBus({ url, logger }) : null;
  const gateway = createModelGateway({
    changeFeed: bus ?? undefined,
    config,
    em: orm.em,
    secretBox: dependencies.secretBox,
    registry: dependencies.registry,
    events,
    logger,
    providers: dependencies.providers,
  });
  const engine = createConversationEngine({
    orm,
    gateway,
    events,
    logger,
    processingLeaseMs: config.MESSAGE_PROCESSING_LEASE_MS,
    instance: dependencies.instance ?? null,
    historyTokenBudget: config.HISTORY_TOKEN_BUDGET,
  });
  // A tenant's secrets changed on some instance: its keys and provider selections are read again on its next turn.
  bus?.on(TENANT_CHANGED, (tenantId) => gateway.forgetTenantKeys(tenantId || undefined));
  // Notifications sent while the bus was down are lost: forget every tenant's keys.
  bus?.onReconnect(() => gateway.forgetTenantKeys());
  // Knowledge written by any instance, on the same bus (one LISTEN connection per process).
  const knowledgeListener =
    config.KB_LISTEN && bus ? startKnowledgeListener({ bus, knowledgeBase: gateway.knowledgeBase, logger }) : null;
  return {
    gateway,
    engine,
    knowledgeListener,
    bus,
    async close() {
      gateway.close();
      await knowledgeListener?.close();
      await bus?.close();
    },
  };
}
