import type { BusinessProfile } from '../db/entities';

/**
 * `{{Name}}` placeholders in answers (imported support data is full of them:
 * `{{Customer Support Phone Number}}`, `{{Website Name}}`, `{{Order Number}}`),
 * filled when the reply is finalised, for every channel and provider.
 *
 * - Names match ignoring case and spacing (`{{ website name }}` = `{{Website Name}}`);
 *   a trailing "Anonymized" (the dataset's marker) is ignored too.
 * - Business values come from the tenant's profile: its fields through the
 *   aliases below, and its free-form `values` by name (these win).
 * - Customer values (order, purchase, invoice, tracking numbers) come only from
 *   what the customer wrote in this conversation, never invented.
 * - A sentence (or list item) holding a placeholder that cannot be filled is
 *   left out, so no reply ever carries braces. When nothing meaningful is left,
 *   `empty` is true and the engine hands the conversation to a human.
 */

export type PlaceholderSource = 'profile' | 'customer' | 'unknown';

/** Case- and space-insensitive key of a placeholder name. */
export function placeholderKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/anonymi[sz]ed$/, '');
}

type ProfileField = Exclude<keyof BusinessProfile, 'values'>;

const PROFILE_ALIASES: Record<ProfileField, string[]> = {
  supportPhone: [
    'Customer Support Phone Number',
    'Support Phone Number',
    'Customer Service Phone Number',
    'Phone Number',
    'Support Phone',
    'Customer Support Number',
    'Contact Number',
    'Phone',
    'Customer Service Number',
    'Telephone',
  ],
  supportEmail: [
    'Customer Support Email',
    'Customer Support Email Address',
    'Support Email',
    'Customer Service Email',
    'Email',
    'Email Address',
    'Contact Email',
  ],
  website: [
    'Website Name',
    'Website URL',
    'Website',
    'Company Website',
    'Website or App',
    'Site',
    'URL',
    'Online Store',
  ],
  liveChatUrl: ['Live Chat', 'Live Chat Link', 'Live Chat URL', 'Chat', 'Live Chat Support', 'Online Chat'],
  openingHours: [
    'Customer Support Availability',
    'Customer Support Hours',
    'Customer Service Hours',
    'Opening Hours',
    'Business Hours',
    'Support Hours',
    'Hours',
    'Working Hours',
    'Customer Service Availability',
  ],
  companyName: ['Company Name', 'Company', 'Store Name', 'Business Name', 'Brand'],
};

const FIELD_BY_KEY = new Map<string, ProfileField>(
  Object.entries(PROFILE_ALIASES).flatMap(([field, names]) =>
    names.map((name) => [placeholderKey(name), field as ProfileField] as const),
  ),
);

/** Customer-specific values and where to find them in what the customer wrote. */
const CUSTOMER_PATTERNS: Array<{ names: string[]; pattern: RegExp }> = [
  {
    names: [
      'Order Number',
      'Order ID',
      'Order No',
      'Purchase ID',
      'Purchase Number',
      'Order Reference',
      'Reference Number',
    ],
    pattern:
      /\b(?:order|purchase|reference|ref)\s*(?:number|no\.?|id|#|nr\.?)?\s*(?:is|was|:)?\s*#?\s*([A-Za-z0-9][A-Za-z0-9-]{3,40})/gi,
  },
  {
    names: ['Invoice Number', 'Invoice ID', 'Bill Number', 'Bill ID', 'Invoice No'],
    pattern:
      /\b(?:invoice|bill)\s*(?:number|no\.?|id|#|nr\.?)?\s*(?:is|was|:)?\s*#?\s*([A-Za-z0-9][A-Za-z0-9-]{3,40})/gi,
  },
  {
    names: ['Tracking Number', 'Tracking ID', 'Tracking Code'],
    pattern: /\btracking\s*(?:number|no\.?|id|code|#)?\s*(?:is|was|:)?\s*#?\s*([A-Za-z0-9][A-Za-z0-9-]{5,40})/gi,
  },
];

const CUSTOMER_BY_KEY = new Map<string, RegExp>(
  CUSTOMER_PATTERNS.flatMap(({ names, pattern }) => names.map((name) => [placeholderKey(name), pattern] as const)),
);

/** Where a placeholder's value would come from (for reports: profile fields can be set, customer values cannot). */
export function placeholderSource(name: string, profile: BusinessProfile = {}): PlaceholderSource {
  const key = placeholderKey(name);
  if (CUSTOMER_BY_KEY.has(key)) return 'customer';
  if (FIELD_BY_KEY.has(key) || Object.keys(profile.values ?? {}).some((valueName) => placeholderKey(valueName) === key))
    return 'profile';
  return 'unknown';
}

/** The profile's value for a placeholder, or null. */
export function profileValue(name: string, profile: BusinessProfile): string | null {
  const key = placeholderKey(name);
  for (const [valueName, value] of Object.entries(profile.values ?? {})) {
    if (placeholderKey(valueName) === key && value.trim()) return value.trim();
  }
  const field = FIELD_BY_KEY.get(key);
  const value = field ? profile[field] : undefined;
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}

/** The value the customer gave for a customer placeholder (their latest mention), or null. */
export function customerValue(name: string, customerMessages: readonly string[]): string | null {
  const pattern = CUSTOMER_BY_KEY.get(placeholderKey(name));
  if (!pattern) return null;
  for (const text of [...customerMessages].reverse()) {
    let found: string | null = null;
    for (const match of text.matchAll(pattern)) {
      // A value is an identifier with at least one digit ("order status" is not an order number).
      if (/\d/.test(match[1]!)) found = match[1]!;
    }
    if (found) return found;
  }
  return null;
}

const PLACEHOLDER = /\{\{\s*([^{}]{1,100}?)\s*\}\}/g;

/** Placeholder names in `text`, in order, without repeats. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((match) => match[1]!.replace(/\s+/g, ' ')))];
}

export interface FillResult {
  text: string;
  filled: string[];
  unfilled: string[];
  /** Sentences or list items left out because of an unfilled placeholder. */
  dropped: number;
  /** Nothing worth sending is left: hand off instead. */
  empty: boolean;
}

const LIST_MARKER = /^(\s*(?:\d+[.)]|[-*•])\s+)/;

/** Fills the placeholders of `text`; see the module comment for the rules. */
export function fillPlaceholders(
  text: string,
  context: { profile?: BusinessProfile | null; customerMessages?: readonly string[] },
): FillResult {
  // No placeholders: the text is sent as it is (even a reply of only an emoji).
  if (!text.includes('{{') && !text.includes('}}')) return { text, filled: [], unfilled: [], dropped: 0, empty: false };
  const profile = context.profile ?? {};
  const customerMessages = context.customerMessages ?? [];
  const filled = new Set<string>();
  const unfilled = new Set<string>();
  let dropped = 0;

  const fillSentence = (sentence: string): string | null => {
    let missing = false;
    const result = sentence.replace(PLACEHOLDER, (whole, rawName: string) => {
      const name = rawName.replace(/\s+/g, ' ');
      const value = profileValue(name, profile) ?? customerValue(name, customerMessages);
      if (value === null) {
        unfilled.add(name);
        missing = true;
        return whole;
      }
      filled.add(name);
      return value;
    });
    // A malformed brace ("{{Name}" or a stray "}}") is as bad as an unfilled placeholder.
    return missing || result.includes('{{') || result.includes('}}') ? null : result;
  };

  const lines: Array<{ text: string; numbered: boolean }> = [];
  for (const line of text.split('\n')) {
    if (!line.includes('{{') && !line.includes('}}')) {
      lines.push({ text: line, numbered: /^\s*\d+[.)]\s/.test(line) });
      continue;
    }
    const marker = LIST_MARKER.exec(line)?.[1] ?? '';
    const sentences = line.slice(marker.length).split(/(?<=[.!?:])\s+(?=\S)/);
    const kept: string[] = [];
    for (const sentence of sentences) {
      const result = fillSentence(sentence);
      if (result === null) dropped += 1;
      else kept.push(result);
    }
    // A list item or line whose every sentence went is left out entirely.
    if (kept.length) lines.push({ text: marker + kept.join(' '), numbered: /^\s*\d+[.)]\s/.test(marker) });
  }

  let output = dropped ? renumber(lines) : lines.map((line) => line.text).join('\n');
  output = output.replace(/\n{3,}/g, '\n\n').trim();
  // A sentence that only introduced what was dropped ("Here is how:") alone is not an answer.
  const empty = dropped > 0 && (!/[\p{L}\p{N}]/u.test(output) || /^[^.!?]*:$/.test(output));
  return { text: output, filled: [...filled], unfilled: [...unfilled], dropped, empty };
}

/** Numbered list items renumbered 1, 2, 3 … within each run, after items were left out. */
function renumber(lines: Array<{ text: string; numbered: boolean }>): string {
  let next = 0;
  return lines
    .map((line) => {
      if (!line.numbered) {
        if (line.text.trim()) next = 0;
        return line.text;
      }
      next += 1;
      return line.text.replace(/^(\s*)\d+([.)]\s)/, `$1${next}$2`);
    })
    .join('\n');
}
