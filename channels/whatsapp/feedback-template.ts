import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../src/logger';
import type { TwilioClient } from './twilio-client';
import { FEEDBACK_TEMPLATE_NAME, feedbackTemplateDefinition } from './whatsapp-message';
import type { WhatsAppTenant } from './whatsapp-tenants';

/** After the Content API failed, how long to use the text fallback before trying again. */
const RETRY_AFTER_FAILURE_MS = 5 * 60_000;

/**
 * The 👍/👎 quick-reply Content template, one per Twilio account: taken from
 * the tenant's stored SID, else found by name in the account's Content list
 * (another tenant or process created it), else created. The SID is stored on
 * the tenant's WhatsApp settings so later processes skip the Content API.
 * Returns null when the template cannot be had; the sender then falls back to
 * plain text with "reply 👍 or 👎".
 */
export class FeedbackTemplates {
  private readonly byAccount = new Map<string, Promise<string | null>>();
  private readonly failedAt = new Map<string, number>();

  constructor(
    private readonly em: () => EntityManager,
    private readonly logger: Logger,
  ) {}

  async contentSid(tenant: WhatsAppTenant, accountSid: string, client: TwilioClient): Promise<string | null> {
    if (tenant.feedbackTemplate?.accountSid === accountSid) return tenant.feedbackTemplate.contentSid;
    const failed = this.failedAt.get(accountSid);
    if (failed && Date.now() - failed < RETRY_AFTER_FAILURE_MS) return null;
    let pending = this.byAccount.get(accountSid);
    if (!pending) {
      pending = this.findOrCreate(accountSid, client);
      this.byAccount.set(accountSid, pending);
    }
    const sid = await pending;
    if (!sid) {
      this.byAccount.delete(accountSid);
      return null;
    }
    await this.store(tenant, accountSid, sid);
    return sid;
  }

  /** The stored template no longer works (deleted in the console): forget it so the next send looks again. */
  async forget(tenant: WhatsAppTenant, accountSid: string): Promise<void> {
    this.byAccount.delete(accountSid);
    tenant.feedbackTemplate = null;
    await this.em()
      .getConnection()
      .execute(`update tenant set settings = settings #- '{channels,whatsapp,feedbackTemplate}' where id = ?`, [
        tenant.tenantId,
      ]);
  }

  private async findOrCreate(accountSid: string, client: TwilioClient): Promise<string | null> {
    try {
      // Several instances may meet a new account at once: one at a time looks the template up and creates it.
      return await this.em().transactional(async (tx) => {
        await tx
          .getConnection()
          .execute(
            `select pg_advisory_xact_lock(hashtext('parley:whatsapp-template:' || ?))`,
            [accountSid],
            'all',
            tx.getTransactionContext(),
          );
        return this.listOrCreate(accountSid, client);
      });
    } catch (error) {
      this.failedAt.set(accountSid, Date.now());
      this.logger.warn(
        { err: error, accountSid },
        'WhatsApp feedback template unavailable; replies use the text fallback',
      );
      return null;
    }
  }

  private async listOrCreate(accountSid: string, client: TwilioClient): Promise<string> {
    const existing = await client.content.v1.contents.list({ pageSize: 50, limit: 500 });
    const found = existing.find((content) => content.friendlyName === FEEDBACK_TEMPLATE_NAME);
    if (found) return found.sid;
    const definition = feedbackTemplateDefinition();
    // The SDK sends `params` verbatim as the JSON body, and the Content API's
    // wire format is snake_case with "twilio/quick-reply" type keys, which the
    // SDK's camelCase request type does not describe.
    const created = await client.content.v1.contents.create({
      friendly_name: definition.friendlyName,
      language: definition.language,
      variables: definition.variables,
      types: definition.types,
    } as unknown as Parameters<TwilioClient['content']['v1']['contents']['create']>[0]);
    this.logger.info({ accountSid, contentSid: created.sid }, 'created the WhatsApp feedback template');
    return created.sid;
  }

  private async store(tenant: WhatsAppTenant, accountSid: string, contentSid: string): Promise<void> {
    tenant.feedbackTemplate = { accountSid, contentSid };
    // jsonb_set in SQL, not a read-modify-write of the whole settings object, so a concurrent settings change is not lost.
    await this.em()
      .getConnection()
      .execute(
        `update tenant set settings = jsonb_set(settings, '{channels,whatsapp,feedbackTemplate}', ?::jsonb) where id = ? and settings->'channels'->'whatsapp' is not null`,
        [JSON.stringify({ accountSid, contentSid }), tenant.tenantId],
      );
  }
}
