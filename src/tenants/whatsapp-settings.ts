import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { badInput } from '../errors';
import type { SecretBox } from '../security/secret-box';
import { getTenant, setTenantSecrets } from './tenant-service';

/**
 * A tenant's WhatsApp binding, stored as `settings.channels.whatsapp`:
 *
 * ```json
 * { "numbers": ["whatsapp:+14155238886"],       // the sender(s) customers write to (Twilio's `To`)
 *   "messagingServiceSid": "MG…",              // optional: route and send through a Messaging Service
 *   "accountSid": "AC…",                       // optional: the tenant's own Twilio account (else TWILIO_ACCOUNT_SID)
 *   "completedActionKeywords": ["paid", "ordered"],  // optional: words that mark a reply as having helped
 *   "feedbackTemplate": { "accountSid": "AC…", "contentSid": "HX…" } }  // written by parley, not by hand
 * ```
 *
 * The auth token is a secret (`twilioAuthToken`, encrypted), never a setting.
 * Feedback prompt frequency is tenant-wide: `settings.feedbackPromptFrequency`
 * (`always` | `sometimes` | `never`) and `settings.feedbackPromptEvery`.
 */
export interface WhatsAppSettings {
  numbers: string[];
  messagingServiceSid?: string;
  accountSid?: string;
  completedActionKeywords?: string[];
  feedbackTemplate?: { accountSid: string; contentSid: string };
}

const inputSchema = z.object({
  numbers: z.array(z.string().trim().min(3).max(100)).max(20).default([]),
  messagingServiceSid: z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'must be MG followed by 32 hex characters').nullish(),
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex characters').nullish(),
  completedActionKeywords: z.array(z.string().trim().min(1).max(60)).max(50).nullish(),
  /** Stored encrypted as the `twilioAuthToken` secret; null removes it. */
  authToken: z.string().min(16).nullish(),
});

export type WhatsAppSettingsInput = z.input<typeof inputSchema>;

/**
 * Binds a tenant to its WhatsApp sender(s). Numbers are stored as Twilio sends
 * them in `To` (`whatsapp:+…`; a bare `+…` gets the prefix). A number or
 * Messaging Service already bound to another tenant is refused, so inbound
 * routing stays unambiguous.
 */
export async function setWhatsAppSettings(em: EntityManager, box: SecretBox, tenantId: string, input: WhatsAppSettingsInput): Promise<WhatsAppSettings> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badInput(`WhatsApp settings: ${issue.path.join('.') || 'input'} ${issue.message}`);
  }
  const values = parsed.data;
  if (!values.numbers.length && !values.messagingServiceSid) throw badInput('WhatsApp settings need at least one number or a messagingServiceSid to receive on');
  const numbers = [...new Set(values.numbers.map((number) => (/^whatsapp:/i.test(number) ? `whatsapp:${number.slice(9)}` : `whatsapp:${number}`)))];

  const tenant = await getTenant(em, tenantId);
  const taken = await em.getConnection().execute<{ id: string; name: string }[]>(
    `select id, name from tenant
      where id <> ? and (
        jsonb_exists_any(settings->'channels'->'whatsapp'->'numbers', array(select jsonb_array_elements_text(?::jsonb)))
        or (?::text is not null and settings->'channels'->'whatsapp'->>'messagingServiceSid' = ?::text))`,
    [tenantId, JSON.stringify(numbers), values.messagingServiceSid ?? null, values.messagingServiceSid ?? null],
  );
  if (taken.length) throw badInput(`That WhatsApp number or Messaging Service is already bound to tenant ${taken[0]!.name}`);

  const previous = (tenant.settings.channels?.whatsapp ?? {}) as Partial<WhatsAppSettings>;
  const next: WhatsAppSettings = { numbers };
  if (values.messagingServiceSid) next.messagingServiceSid = values.messagingServiceSid;
  if (values.accountSid) next.accountSid = values.accountSid;
  if (values.completedActionKeywords) next.completedActionKeywords = values.completedActionKeywords;
  // The stored template stays valid only for the same account.
  if (previous.feedbackTemplate && previous.feedbackTemplate.accountSid === (values.accountSid ?? previous.feedbackTemplate.accountSid)) next.feedbackTemplate = previous.feedbackTemplate;
  // A new object, so the change set sees the JSON column change.
  tenant.settings = { ...tenant.settings, channels: { ...(tenant.settings.channels ?? {}), whatsapp: { ...next } } };
  await em.flush();
  if (values.authToken !== undefined) await setTenantSecrets(em, box, tenantId, { twilioAuthToken: values.authToken });
  return next;
}
