import type { EntityManager } from '@mikro-orm/postgresql';
import type { FeedbackPromptFrequency, TenantSettings } from '../../src/db/entities';
import type { SecretBox } from '../../src/security/secret-box';
import { readTenantSecrets } from '../../src/tenants/tenant-service';
import type { WhatsAppSettings } from '../../src/tenants/whatsapp-settings';
import { addressKey, DEFAULT_COMPLETED_ACTION_KEYWORDS } from './whatsapp-message';

/** What the channel needs to know about one tenant bound to WhatsApp. */
export interface WhatsAppTenant {
  tenantId: string;
  numbers: string[];
  messagingServiceSid: string | null;
  accountSid: string | null;
  feedbackPromptFrequency: FeedbackPromptFrequency;
  feedbackPromptEvery: number;
  completedActionKeywords: string[];
  feedbackTemplate: { accountSid: string; contentSid: string } | null;
}

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

export interface DirectoryOptions {
  fallbackAccountSid?: string;
  fallbackAuthToken?: string;
  /** How long bindings and credentials are trusted before being read again. */
  ttlMs?: number;
}

/**
 * Tenants by receiving number and Messaging Service SID, with their Twilio
 * credentials. Kept in memory and refreshed on a short TTL (and at once, at most
 * once a second, when an unknown number writes), because every webhook needs it
 * before anything else and a database round trip per webhook would be waste.
 */
export class WhatsAppTenantDirectory {
  private byAddress = new Map<string, WhatsAppTenant>();
  private byId = new Map<string, WhatsAppTenant>();
  private loadedAt = 0;
  private loading: Promise<void> | null = null;
  /** Promises: the concurrent requests of an expired entry share one read instead of one read each. */
  private readonly credentials = new Map<string, { value: Promise<TwilioCredentials | null>; at: number }>();
  private readonly ttlMs: number;

  constructor(
    private readonly em: () => EntityManager,
    private readonly box: SecretBox,
    private readonly options: DirectoryOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 15_000;
  }

  /** The tenant receiving on `to` (or on the Messaging Service), or null when none is bound. */
  async resolve(to: string, messagingServiceSid: string | null): Promise<WhatsAppTenant | null> {
    if (Date.now() - this.loadedAt > this.ttlMs) await this.reload();
    let found = this.lookup(to, messagingServiceSid);
    if (!found && Date.now() - this.loadedAt > 1_000) {
      await this.reload();
      found = this.lookup(to, messagingServiceSid);
    }
    return found;
  }

  async byTenantId(tenantId: string): Promise<WhatsAppTenant | null> {
    if (Date.now() - this.loadedAt > this.ttlMs || !this.byId.has(tenantId)) await this.reload();
    return this.byId.get(tenantId) ?? null;
  }

  /** Every tenant bound to WhatsApp (for recovery and template set-up). */
  async all(): Promise<WhatsAppTenant[]> {
    await this.reload();
    return [...this.byId.values()];
  }

  /** The tenant's own account and token (the `twilioAuthToken` secret), else the service-wide ones; null when neither is set. */
  async credentialsFor(tenant: WhatsAppTenant): Promise<TwilioCredentials | null> {
    const cached = this.credentials.get(tenant.tenantId);
    if (cached && Date.now() - cached.at < this.ttlMs) return cached.value;
    const value = (async () => {
      const secrets = await readTenantSecrets(this.em(), this.box, tenant.tenantId);
      const accountSid = tenant.accountSid ?? this.options.fallbackAccountSid ?? null;
      const authToken = secrets.twilioAuthToken ?? this.options.fallbackAuthToken ?? null;
      return accountSid && authToken ? { accountSid, authToken } : null;
    })();
    const entry = { value, at: Date.now() };
    this.credentials.set(tenant.tenantId, entry);
    // A failed read is not cached: the next request reads again.
    value.catch(() => {
      if (this.credentials.get(tenant.tenantId) === entry) this.credentials.delete(tenant.tenantId);
    });
    return value;
  }

  /** Drop cached bindings and credentials (after settings change in this process). */
  invalidate(): void {
    this.loadedAt = 0;
    this.credentials.clear();
  }

  private lookup(to: string, messagingServiceSid: string | null): WhatsAppTenant | null {
    return (
      this.byAddress.get(`n:${addressKey(to)}`) ??
      (messagingServiceSid ? this.byAddress.get(`s:${messagingServiceSid}`) : undefined) ??
      null
    );
  }

  private reload(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const rows = await this.em()
          .getConnection()
          .execute<{ id: string; settings: TenantSettings }[]>(
            `select id, settings from tenant where settings->'channels'->'whatsapp' is not null and disabled_at is null`,
          );
        const byAddress = new Map<string, WhatsAppTenant>();
        const byId = new Map<string, WhatsAppTenant>();
        for (const row of rows) {
          const settings =
            typeof row.settings === 'string' ? (JSON.parse(row.settings) as TenantSettings) : row.settings;
          const tenant = toTenant(row.id, settings);
          byId.set(tenant.tenantId, tenant);
          for (const number of tenant.numbers) byAddress.set(`n:${addressKey(number)}`, tenant);
          if (tenant.messagingServiceSid) byAddress.set(`s:${tenant.messagingServiceSid}`, tenant);
        }
        this.byAddress = byAddress;
        this.byId = byId;
        this.loadedAt = Date.now();
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }
}

function toTenant(tenantId: string, settings: TenantSettings): WhatsAppTenant {
  // The binding is written by setWhatsAppSettings, which validates it; read defensively anyway.
  const binding = (settings.channels?.whatsapp ?? {}) as Partial<WhatsAppSettings>;
  const every = settings.feedbackPromptEvery;
  return {
    tenantId,
    numbers: Array.isArray(binding.numbers) ? binding.numbers.filter((value) => typeof value === 'string') : [],
    messagingServiceSid: typeof binding.messagingServiceSid === 'string' ? binding.messagingServiceSid : null,
    accountSid: typeof binding.accountSid === 'string' ? binding.accountSid : null,
    feedbackPromptFrequency: settings.feedbackPromptFrequency ?? 'always',
    feedbackPromptEvery: typeof every === 'number' && Number.isInteger(every) && every >= 1 ? every : 3,
    completedActionKeywords: Array.isArray(binding.completedActionKeywords)
      ? binding.completedActionKeywords
      : DEFAULT_COMPLETED_ACTION_KEYWORDS,
    feedbackTemplate:
      binding.feedbackTemplate?.contentSid && binding.feedbackTemplate.accountSid ? binding.feedbackTemplate : null,
  };
}
