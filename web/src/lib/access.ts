/**
 * The Access page's logic, kept pure so unit tests cover it without a
 * browser: which scopes a new key may get, what a revocation will do, the
 * audit filter from the form, and audit rows in words.
 */
import { formatActor, formatDateTime, type FormatOptions } from './format';
import type { Scope } from './pages';

export const ALL_SCOPES: { scope: Scope; label: string }[] = [
  { scope: 'analytics:view', label: 'Read analytics, conversations, feedback and corrections' },
  { scope: 'corrections:write', label: 'Write corrections, reply as an agent, manage evaluations' },
  { scope: 'users:manage', label: 'Approve, configure the tenant, manage keys and read the audit log' },
];

export interface ScopeChoice {
  scope: Scope;
  label: string;
  /** False when the signed-in key lacks it: a key can only give scopes it has. */
  grantable: boolean;
}

export function scopeChoices(sessionScopes: readonly string[]): ScopeChoice[] {
  return ALL_SCOPES.map((entry) => ({ ...entry, grantable: sessionScopes.includes(entry.scope) }));
}

export const MAX_KEY_NAME_LENGTH = 100;

/** What is wrong with a new key's form, or null when it can be sent. */
export function createKeyProblem(name: string, scopes: readonly string[]): string | null {
  const trimmed = name.trim();
  if (!trimmed) return 'Give the key a name: what or who will use it.';
  if (trimmed.length > MAX_KEY_NAME_LENGTH) return `The name is too long (at most ${MAX_KEY_NAME_LENGTH} characters).`;
  if (!scopes.length) return 'Choose at least one scope.';
  return null;
}

export interface KeyForRevocation {
  name: string;
  prefix: string;
  current: boolean;
}

/** The confirmation text of a revocation: what stops, and a warning when it is the key of this session. */
export function revokeConsequences(key: KeyForRevocation): { message: string; warning: string | null } {
  return {
    message:
      `Revoke “${key.name}” (${key.prefix}…)? Every request with this key is refused from now on, on every ` +
      'instance, and every console session opened with it ends. This cannot be undone: a program using it needs a new key.',
    warning: key.current
      ? 'This is the key of your current session: you will be signed out at once and need another key with users:manage to sign in again.'
      : null,
  };
}

export type KeyState = 'active' | 'unused' | 'revoked';

export function keyState(key: { revokedAt: string | null; lastUsedAt: string | null }): KeyState {
  if (key.revokedAt) return 'revoked';
  return key.lastUsedAt ? 'active' : 'unused';
}

/** The audit filter form as typed: free text and `datetime-local` values (the viewer's zone). */
export interface AuditFilterForm {
  action: string;
  actor: string;
  target: string;
  from: string;
  to: string;
}

export const EMPTY_AUDIT_FILTER: AuditFilterForm = { action: '', actor: '', target: '', from: '', to: '' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A `datetime-local` value (no zone: the viewer's) as an ISO instant, or null when empty or invalid. */
export function localInputToIso(value: string): string | null {
  if (!value.trim()) return null;
  // Date parses a zone-less date-time as local time: the zone the viewer typed it in.
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export type AuditFilterVariables = {
  action?: string;
  actor?: string;
  targetType?: string;
  targetId?: string;
  from?: string;
  to?: string;
};

/**
 * The GraphQL filter from the form, or the problem to show. The target box
 * takes an id (a uuid) or a type (ApiKey, Correction…); an actor typed as a
 * bare key id becomes `apikey:<id>`.
 */
export function auditFilterFromForm(form: AuditFilterForm): {
  filter: AuditFilterVariables | null;
  problem: string | null;
} {
  const filter: AuditFilterVariables = {};
  if (form.action.trim()) filter.action = form.action.trim();
  const actor = form.actor.trim();
  if (actor) filter.actor = UUID.test(actor) ? `apikey:${actor}` : actor;
  const target = form.target.trim();
  if (target) {
    if (UUID.test(target)) filter.targetId = target;
    else filter.targetType = target;
  }
  if (form.from.trim()) {
    const from = localInputToIso(form.from);
    if (!from) return { filter: null, problem: 'The “from” time is not a valid date and time.' };
    filter.from = from;
  }
  if (form.to.trim()) {
    const to = localInputToIso(form.to);
    if (!to) return { filter: null, problem: 'The “to” time is not a valid date and time.' };
    filter.to = to;
  }
  if (filter.from && filter.to && filter.from >= filter.to) {
    return { filter: null, problem: '“From” must be before “to”.' };
  }
  return { filter: Object.keys(filter).length ? filter : null, problem: null };
}

export interface AuditRowInput {
  actor: string;
  actorName: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  targetName: string | null;
  before: string | null;
  after: string | null;
  createdAt: string;
}

/** Who, readably: the key's name when the actor is a key, else formatActor's words. */
export function describeActor(entry: Pick<AuditRowInput, 'actor' | 'actorName'>): string {
  if (entry.actorName) return `key “${entry.actorName}”`;
  return formatActor(entry.actor);
}

/** What was changed, readably: "API key “reporting”", "Correction 0839eed2". */
export function describeTarget(entry: Pick<AuditRowInput, 'targetType' | 'targetId' | 'targetName'>): string {
  const type = entry.targetType === 'ApiKey' ? 'API key' : entry.targetType;
  if (entry.targetName) return `${type} “${entry.targetName}”`;
  return entry.targetId ? `${type} ${entry.targetId.slice(0, 8)}` : type;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The changed fields as "field: before → after" lines (values shortened), for the row's details. */
export function describeChange(before: string | null, after: string | null, options: FormatOptions = {}): string[] {
  const parse = (text: string | null): Record<string, unknown> => {
    if (!text) return {};
    try {
      const value: unknown = JSON.parse(text);
      return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };
  const old = parse(before);
  const now = parse(after);
  const show = (value: unknown): string => {
    if (value === undefined) return '—';
    // Times were stored as UTC ISO strings: show them in the viewer's zone like every other time.
    if (typeof value === 'string' && ISO_INSTANT.test(value)) return formatDateTime(value, options);
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 79)}…` : text;
  };
  const fields = [...new Set([...Object.keys(old), ...Object.keys(now)])];
  return fields.map((field) =>
    field in old ? `${field}: ${show(old[field])} → ${show(now[field])}` : `${field}: ${show(now[field])}`,
  );
}

/** One audit row as a sentence, for screen readers and the row's label. */
export function describeAuditEntry(entry: AuditRowInput, options: FormatOptions = {}): string {
  return `${formatDateTime(entry.createdAt, options)}: ${describeActor(entry)} did ${entry.action} on ${describeTarget(entry)}`;
}
