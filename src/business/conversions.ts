import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { recordAudit, type Actor } from '../audit/audit-service';
import { Conversation, Conversion, Tenant } from '../db/entities';
import { badInput, notFound } from '../errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ConversionInput {
  tenantId: string;
  conversationId: string;
  kind: string;
  valueUsd?: number | null;
  externalId?: string | null;
  occurredAt?: Date | null;
  by: Actor;
}

const inputSchema = z.object({
  kind: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,59}$/, 'must be 1–60 letters, digits, _ . or -'),
  valueUsd: z.number().finite().min(0).max(1e9).nullish(),
  externalId: z.string().trim().min(1).max(200).nullish(),
});

/**
 * Records a completed action (an order, a booking) a conversation led to.
 * Idempotent on `externalId`: recording the same id again returns the first
 * row unchanged. Audited.
 */
export async function recordConversion(
  em: EntityManager,
  input: ConversionInput,
): Promise<{ conversion: Conversion; created: boolean }> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badInput(`${issue.path.join('.')} ${issue.message}`, { field: String(issue.path[0]) });
  }
  const occurredAt = input.occurredAt ?? new Date();
  if (Number.isNaN(occurredAt.getTime())) throw badInput('occurredAt must be an ISO-8601 date-time');
  if (!UUID.test(input.conversationId)) throw notFound('Conversation', input.conversationId);
  return em.transactional(async (tx) => {
    const conversation = await tx.findOne(Conversation, { id: input.conversationId, tenant: input.tenantId });
    if (!conversation) throw notFound('Conversation', input.conversationId);
    if (parsed.data.externalId) {
      const existing = await tx.findOne(Conversion, { tenant: input.tenantId, externalId: parsed.data.externalId });
      if (existing) return { conversion: existing, created: false };
    }
    const conversion = tx.create(Conversion, {
      tenant: tx.getReference(Tenant, input.tenantId),
      conversation,
      kind: parsed.data.kind,
      valueUsd: parsed.data.valueUsd ?? null,
      externalId: parsed.data.externalId ?? null,
      occurredAt,
    });
    recordAudit(tx, {
      tenantId: input.tenantId,
      actor: input.by,
      action: 'conversion.record',
      targetType: 'Conversation',
      targetId: conversation.id,
      after: { kind: conversion.kind, valueUsd: conversion.valueUsd, externalId: conversion.externalId },
    });
    await tx.flush();
    return { conversion, created: true };
  });
}
