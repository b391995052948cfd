import type { EntityManager } from '@mikro-orm/postgresql';
import crypto from 'node:crypto';
import { recordAudit } from '../audit/audit-service';
import { ApiKey, ConsoleSession } from '../db/entities';
import { findApiKey } from './api-keys';

/** What a session cookie stands for: the key it was opened with (its tenant and scopes). */
export interface SessionIdentity {
  sessionId: string;
  apiKey: ApiKey;
  expiresAt: Date;
}

function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/**
 * Exchanges a live API key for a session token (returned once; only its hash
 * is stored). Null when the key is unknown or revoked. Audited as
 * `console.sign_in`.
 */
export async function openConsoleSession(
  em: EntityManager,
  input: { key: string; ttlMs: number; userAgent?: string | null; now?: Date },
): Promise<{ token: string; identity: SessionIdentity } | null> {
  const apiKey = await findApiKey(em, input.key);
  if (!apiKey) return null;
  const now = input.now ?? new Date();
  const token = crypto.randomBytes(32).toString('base64url');
  const session = em.create(ConsoleSession, {
    tenant: apiKey.tenant,
    apiKey,
    tokenHash: hashToken(token),
    expiresAt: new Date(now.getTime() + input.ttlMs),
    lastSeenAt: now,
    userAgent: input.userAgent ? input.userAgent.slice(0, 300) : null,
  });
  recordAudit(em, {
    tenantId: apiKey.tenant.id,
    actor: `apikey:${apiKey.id}`,
    action: 'console.sign_in',
    targetType: 'ConsoleSession',
    targetId: session.id,
  });
  await em.flush();
  return { token, identity: { sessionId: session.id, apiKey, expiresAt: session.expiresAt } };
}

/**
 * The session behind a cookie token: unexpired, and its key not revoked
 * (revoking a key ends its sessions at once). Null otherwise.
 */
export async function findConsoleSession(
  em: EntityManager,
  token: string,
  now: Date = new Date(),
): Promise<SessionIdentity | null> {
  if (!token || token.length > 200) return null;
  const session = await em.findOne(
    ConsoleSession,
    { tokenHash: hashToken(token), expiresAt: { $gt: now }, apiKey: { revokedAt: null } },
    { populate: ['apiKey', 'apiKey.tenant'] },
  );
  if (!session) return null;
  return { sessionId: session.id, apiKey: session.apiKey, expiresAt: session.expiresAt };
}

/** Ends the session of this token (sign-out). Returns whether there was one. Audited as `console.sign_out`. */
export async function closeConsoleSession(em: EntityManager, token: string): Promise<boolean> {
  const session = await em.findOne(ConsoleSession, { tokenHash: hashToken(token) }, { populate: ['apiKey'] });
  if (!session) return false;
  recordAudit(em, {
    tenantId: session.tenant.id,
    actor: `apikey:${session.apiKey.id}`,
    action: 'console.sign_out',
    targetType: 'ConsoleSession',
    targetId: session.id,
  });
  em.remove(session);
  await em.flush();
  return true;
}

/** Deletes expired sessions; returns how many. Safe on several instances at once. */
export async function purgeExpiredConsoleSessions(em: EntityManager, now: Date = new Date()): Promise<number> {
  return em.nativeDelete(ConsoleSession, { expiresAt: { $lte: now } });
}
