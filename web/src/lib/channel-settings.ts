/**
 * Pure logic of the channel settings (Settings page) and the business profile
 * (Knowledge page): lists typed as text, the change sets a save sends, and the
 * server's BAD_USER_INPUT messages split by field. Unit-tested without a
 * browser (test/unit/web/channel-settings-logic.test.ts).
 */

/** Comma-, semicolon- or line-separated entries, trimmed, without blanks or repeats. */
export function parseList(text: string, { spaces = true }: { spaces?: boolean } = {}): string[] {
  const entries = text
    .split(spaces ? /[\s,;]+/ : /[,;\n]+/)
    .map((entry) => entry.trim())
    .filter(Boolean);
  return [...new Set(entries)];
}

/** How a placeholder name is matched: case and spacing ignored ("order  history" fills {{Order History}}). */
export function placeholderKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Server messages, one per field. `where` tells which form the message came from. */
export type SettingsForm = 'whatsapp' | 'slack' | 'profile';

/**
 * The three APIs word their refusals differently:
 * - `WhatsApp settings: numbers.0 Too small: …`, `… already bound to tenant …`, `… need at least one number …`;
 * - `settings.channels.slack.approvers.0: must be Slack user ids …`, `botToken: must be a Slack bot token …`;
 * - `profile.supportEmail: must be an email address`, `profile.values.Order History: …`.
 * Each becomes `{ field: message }` under the form's field name; text naming no field stays general.
 * `sentNumbers` says whether the WhatsApp save sent numbers (an "already bound" refusal then belongs to them,
 * else to the Messaging Service SID).
 */
export function settingsFieldErrors(
  form: SettingsForm,
  message: string,
  { sentNumbers = true }: { sentNumbers?: boolean } = {},
): { fields: Record<string, string>; general: string | null } {
  const text = message.trim();
  if (form === 'whatsapp') {
    const named = /^WhatsApp settings: ([A-Za-z]+)(?:\.\d+)? (.+)$/.exec(text);
    if (named) return { fields: { [named[1]!]: capitalise(named[2]!) }, general: null };
    if (/already bound to tenant/.test(text))
      return { fields: { [sentNumbers ? 'numbers' : 'messagingServiceSid']: text }, general: null };
    if (/need at least one number/.test(text)) return { fields: { numbers: text }, general: null };
    return { fields: {}, general: text || null };
  }
  const prefix = form === 'slack' ? 'settings.channels.slack.' : 'profile.';
  const stripped = text.startsWith(prefix) ? text.slice(prefix.length) : text;
  const named = /^([A-Za-z]+)(?:\.[^:]+)?: (.+)$/.exec(stripped);
  if (named) return { fields: { [named[1]!]: capitalise(named[2]!) }, general: null };
  return { fields: {}, general: text || null };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The profile's fixed fields, with what each fills. */
export const PROFILE_FIELDS = [
  {
    name: 'companyName',
    label: 'Company name',
    help: 'Fills {{Company Name}}.',
    placeholder: 'Example Shop Ltd',
  },
  {
    name: 'supportPhone',
    label: 'Support phone',
    help: 'Fills {{Customer Support Phone Number}}, {{Support Phone Number}} and similar.',
    placeholder: '+44 20 7946 0000',
  },
  {
    name: 'supportEmail',
    label: 'Support email',
    help: 'Fills {{Customer Support Email}}, {{Email}} and similar.',
    placeholder: 'help@shop.example.com',
  },
  {
    name: 'website',
    label: 'Website',
    help: 'Fills {{Website Name}}, {{Website URL}} and similar.',
    placeholder: 'shop.example.com',
  },
  {
    name: 'liveChatUrl',
    label: 'Live-chat URL',
    help: 'Fills {{Live Chat}}, {{Live Chat Link}} and similar; an http(s) address.',
    placeholder: 'https://shop.example.com/chat',
  },
  {
    name: 'openingHours',
    label: 'Opening hours',
    help: 'Fills {{Opening Hours}}, {{Customer Support Hours}}, {{Customer Support Availability}} and similar.',
    placeholder: 'Mon–Fri 9:00–18:00 UK time',
  },
] as const;

export type ProfileFieldName = (typeof PROFILE_FIELDS)[number]['name'];

/**
 * The fixed fields a profile save sends: only those whose text differs from
 * what is stored (trimmed); an emptied field removes the value (null).
 */
export function profileFieldChanges(
  stored: Record<ProfileFieldName, string | null>,
  edited: Record<string, string>,
): Partial<Record<ProfileFieldName, string | null>> {
  const changes: Partial<Record<ProfileFieldName, string | null>> = {};
  for (const { name } of PROFILE_FIELDS) {
    const text = edited[name];
    if (text === undefined) continue;
    const next = text.trim() || null;
    if (next !== (stored[name] ?? null)) changes[name] = next;
  }
  return changes;
}

export interface ValueRow {
  name: string;
  value: string;
}

/**
 * The named values a profile save sends (the API merges them by name): new or
 * changed rows with their value, stored names no row keeps with null (removed).
 * Rows without a name are ignored; an emptied value removes its name.
 */
export function profileValueChanges(
  stored: ValueRow[],
  rows: ValueRow[],
): { changes: { name: string; value: string | null }[]; errors: Record<number, string> } {
  const changes: { name: string; value: string | null }[] = [];
  const errors: Record<number, string> = {};
  const kept = new Map<string, number>();
  rows.forEach((row, index) => {
    const name = row.name.trim();
    if (!name) {
      if (row.value.trim()) errors[index] = 'Give the placeholder a name';
      return;
    }
    const key = placeholderKey(name);
    if (kept.has(key)) {
      errors[index] = `“${name}” is already in the list`;
      return;
    }
    kept.set(key, index);
    const value = row.value.trim();
    const before = stored.find((entry) => entry.name === name);
    if (!value) {
      if (before) changes.push({ name, value: null });
      return;
    }
    if (!before || before.value !== value) changes.push({ name, value });
  });
  for (const entry of stored) {
    const row = rows.find((candidate) => candidate.name.trim() === entry.name);
    if (!row) changes.push({ name: entry.name, value: null });
  }
  return { changes, errors };
}

/** A blank number field means "the default" (null); anything else must be a number. */
export function parseOptionalNumber(text: string): number | null | 'invalid' {
  const trimmed = text.trim();
  if (!trimmed) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : 'invalid';
}
