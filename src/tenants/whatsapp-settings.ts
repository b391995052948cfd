import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { badInput } from '../errors';
import type { SecretBox } from '../security/secret-box';
import { recordAudit, type Actor } from '../audit/audit-service';
import type { Tenant } from '../db/entities';
import { withLockedTenant } from './locked-tenant';
import { getTenant, readTenantSecrets, setTenantSecrets } from './tenant-service';

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
  messagingServiceSid: z
    .string()
    .regex(/^MG[0-9a-fA-F]{32}$/, 'must be MG followed by 32 hex characters')
    .nullish(),
  accountSid: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex characters')
    .nullish(),
  completedActionKeywords: z.array(z.string().trim().min(1).max(60)).max(50).nullish(),
  /** Stored encrypted as the `twilioAuthToken` secret; null removes it. */
  authToken: z.string().min(16).nullish(),
});

export type WhatsAppSettingsInput = z.input<typeof inputSchema>;

/** Validated input: numbers normalised to `whatsapp:+…`, none bound to another tenant. */
interface CheckedWhatsAppInput {
  values: z.output<typeof inputSchema>;
  numbers: string[];
}

/** Refuses bad input (BAD_USER_INPUT) before anything is locked or written. */
async function checkWhatsAppInput(
  em: EntityManager,
  tenantId: string,
  input: WhatsAppSettingsInput,
): Promise<CheckedWhatsAppInput> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badInput(`WhatsApp settings: ${issue.path.join('.') || 'input'} ${issue.message}`, {
      field: issue.path.join('.') || null,
    });
  }
  const values = parsed.data;
  if (!values.numbers.length && !values.messagingServiceSid)
    throw badInput('WhatsApp settings need at least one number or a messagingServiceSid to receive on', {
      field: 'numbers',
    });
  const numbers = [
    ...new Set(
      values.numbers.map((number) =>
        /^whatsapp:/i.test(number) ? `whatsapp:${number.slice(9)}` : `whatsapp:${number}`,
      ),
    ),
  ];

  await getTenant(em, tenantId);
  await refuseTakenBinding(em, tenantId, numbers, values.messagingServiceSid);
  return { values, numbers };
}

/** BAD_USER_INPUT when one of `numbers` or the Messaging Service is bound to another tenant. */
async function refuseTakenBinding(
  em: EntityManager,
  tenantId: string,
  numbers: string[],
  messagingServiceSid: string | null | undefined,
): Promise<void> {
  // em.execute runs in em's transaction when there is one (getConnection().execute would take another connection).
  const taken = await em.execute<{ id: string; name: string; number_taken: boolean }[]>(
    `select id, name,
            coalesce(jsonb_exists_any(settings->'channels'->'whatsapp'->'numbers',
                                      array(select jsonb_array_elements_text(?::jsonb))), false) as number_taken
       from tenant
      where id <> ? and (
        jsonb_exists_any(settings->'channels'->'whatsapp'->'numbers', array(select jsonb_array_elements_text(?::jsonb)))
        or (?::text is not null and settings->'channels'->'whatsapp'->>'messagingServiceSid' = ?::text))`,
    [
      JSON.stringify(numbers),
      tenantId,
      JSON.stringify(numbers),
      messagingServiceSid ?? null,
      messagingServiceSid ?? null,
    ],
  );
  if (taken.length)
    throw badInput(`That WhatsApp number or Messaging Service is already bound to tenant ${taken[0]!.name}`, {
      field: taken[0]!.number_taken ? 'numbers' : 'messagingServiceSid',
    });
}

/**
 * Writes a checked binding (and the auth token secret) on the locked tenant row; returns it with what it replaced.
 * Bindings of all tenants are written one at a time (a transaction-scoped advisory lock) and the "already bound"
 * check is repeated under it: two tenants binding the same number at the same moment cannot both pass it.
 */
async function writeWhatsAppSettings(
  tx: EntityManager,
  box: SecretBox,
  tenant: Tenant,
  { values, numbers }: CheckedWhatsAppInput,
): Promise<{ before: Record<string, unknown>; after: WhatsAppSettings }> {
  await tx.execute(`select pg_advisory_xact_lock(hashtext('whatsapp-binding'))`);
  await refuseTakenBinding(tx, tenant.id, numbers, values.messagingServiceSid);
  const previous = (tenant.settings.channels?.whatsapp ?? {}) as Partial<WhatsAppSettings>;
  const next: WhatsAppSettings = { numbers };
  if (values.messagingServiceSid) next.messagingServiceSid = values.messagingServiceSid;
  if (values.accountSid) next.accountSid = values.accountSid;
  if (values.completedActionKeywords) next.completedActionKeywords = values.completedActionKeywords;
  // The stored template stays valid only for the same account.
  if (
    previous.feedbackTemplate &&
    previous.feedbackTemplate.accountSid === (values.accountSid ?? previous.feedbackTemplate.accountSid)
  )
    next.feedbackTemplate = previous.feedbackTemplate;
  // A new object, so the change set sees the JSON column change.
  tenant.settings = { ...tenant.settings, channels: { ...(tenant.settings.channels ?? {}), whatsapp: { ...next } } };
  await tx.flush();
  if (values.authToken !== undefined) await setTenantSecrets(tx, box, tenant.id, { twilioAuthToken: values.authToken });
  return { before: { ...(previous as Record<string, unknown>) }, after: next };
}

/**
 * Binds a tenant to its WhatsApp sender(s). Numbers are stored as Twilio sends
 * them in `To` (`whatsapp:+…`; a bare `+…` gets the prefix). A number or
 * Messaging Service already bound to another tenant is refused, so inbound
 * routing stays unambiguous. Written on the locked tenant row (see withLockedTenant).
 */
export async function setWhatsAppSettings(
  em: EntityManager,
  box: SecretBox,
  tenantId: string,
  input: WhatsAppSettingsInput,
): Promise<WhatsAppSettings> {
  const checked = await checkWhatsAppInput(em, tenantId, input);
  return withLockedTenant(em, tenantId, async (tx, tenant) => {
    const { after } = await writeWhatsAppSettings(tx, box, tenant, checked);
    return after;
  });
}

/** The tenant's WhatsApp binding as stored, or null when it has none; `authTokenSet` says whether its own token is stored. */
export async function readWhatsAppSettings(
  em: EntityManager,
  box: SecretBox,
  tenantId: string,
): Promise<(WhatsAppSettings & { authTokenSet: boolean }) | null> {
  const tenant = await getTenant(em, tenantId);
  const stored = tenant.settings.channels?.whatsapp as Partial<WhatsAppSettings> | undefined;
  if (!stored) return null;
  const secrets = await readTenantSecrets(em, box, tenantId);
  return {
    ...stored,
    numbers: Array.isArray(stored.numbers) ? stored.numbers : [],
    authTokenSet: Boolean(secrets.twilioAuthToken),
  };
}

/**
 * `setWhatsAppSettings` for the control plane and CLI: in one transaction, with
 * an audit row (`tenant.settings.whatsapp.update`; the auth token appears only
 * as "changed", never as a value).
 */
export async function updateWhatsAppSettings(
  em: EntityManager,
  box: SecretBox,
  input: { tenantId: string; actor: Actor; settings: WhatsAppSettingsInput },
): Promise<WhatsAppSettings> {
  const checked = await checkWhatsAppInput(em, input.tenantId, input.settings);
  return withLockedTenant(em, input.tenantId, async (tx, tenant) => {
    const { before, after } = await writeWhatsAppSettings(tx, box, tenant, checked);
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'tenant.settings.whatsapp.update',
      targetType: 'Tenant',
      targetId: input.tenantId,
      before,
      after: {
        ...after,
        ...(input.settings.authToken !== undefined
          ? { authToken: input.settings.authToken === null ? 'cleared' : 'changed' }
          : {}),
      },
    });
    return after;
  });
}
