import type { webApi } from '@slack/bolt';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../../src/db/orm';
import type { CustomerChannelRegistry } from '../../src/engine/outbound';
import type { DomainEvents } from '../../src/events';
import type { Logger } from '../../src/logger';
import type { AlertService } from '../../src/monitoring/alert-service';

/** What every part of the Slack app shares: the database, the Web API client, the engine's seams. */
export interface SlackContext {
  orm: Orm;
  /** The Web API client with the app's own token (SLACK_BOT_TOKEN): for tenants without a token of their own. */
  client: webApi.WebClient;
  /**
   * The Web API client for one tenant: its own bot token (secret `slackBotToken`,
   * read on every call so a rotated token takes effect at once, on every
   * instance) or, without one, the app's token.
   */
  slackFor(tenantId: string): Promise<webApi.WebClient>;
  events: DomainEvents;
  logger: Logger;
  customers: CustomerChannelRegistry;
  /** One unit of work at a time per key (conversation, interaction) in this process. */
  serial: <T>(key: string, work: () => Promise<T>) => Promise<T>;
  /** The Slack user's real name (cached), for authorship and display. */
  userName(tenantId: string, userId: string): Promise<string>;
  /** Set once the alert service exists (it needs this app's notifier first). */
  alerts: AlertService | null;
  publicBaseUrl: string;
  /**
   * False when this Slack message (`channel:ts`) was already handled, by any instance: Slack redelivers events
   * it thinks were missed, to whichever instance the load balancer picks (recorded in `slack_submission`).
   */
  rememberReply(tenantId: string, key: string): Promise<boolean>;
  em(): EntityManager;
}
