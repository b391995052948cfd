import type { EntityManager } from '@mikro-orm/postgresql';
import {
  AgentInteraction,
  Contact,
  Conversation,
  Conversion,
  CsatSurvey,
  HumanCorrection,
  InteractionFeedback,
  KnowledgeArticle,
  Message,
  Tenant,
  type ChannelName,
  type CorrectionStatus,
} from '../../src/db/entities';

let counter = 0;

export interface SeedReply {
  at?: string;
  costUsd?: number;
  latencyMs?: number;
  helpful?: boolean;
  comment?: string;
  implicitSatisfaction?: number;
  modelVersionId?: string;
  provider?: string;
  model?: string;
  articleIds?: string[];
}

export interface SeedConversation {
  at: string;
  channel?: ChannelName;
  replies?: SeedReply[];
  handedOffAt?: string;
  assignee?: string;
  assignedAt?: string;
  agentMessages?: { at: string; by: string }[];
  surveys?: { askedAt: string; score?: number; answeredAt?: string }[];
  conversions?: { kind: string; valueUsd?: number; at?: string }[];
}

/**
 * Writes one conversation exactly as described (rows through the entities, with
 * the given times), for analytics tests whose expected values are computed by hand.
 */
export async function seedConversation(
  em: EntityManager,
  tenantId: string,
  spec: SeedConversation,
): Promise<{ conversation: Conversation; interactions: AgentInteraction[] }> {
  const tenant = em.getReference(Tenant, tenantId);
  const channel = spec.channel ?? 'whatsapp';
  const at = new Date(spec.at);
  counter += 1;
  const contact = em.create(Contact, { tenant, channel, externalId: `seed-${process.pid}-${counter}` });
  const conversation = em.create(Conversation, {
    tenant,
    contact,
    channel,
    startedAt: at,
    lastActivityAt: at,
    createdAt: at,
    status: spec.handedOffAt ? 'handed_off' : 'bot',
    handedOffAt: spec.handedOffAt ? new Date(spec.handedOffAt) : null,
    assignee: spec.assignee ?? null,
    assignedAt: spec.assignedAt ? new Date(spec.assignedAt) : null,
  });
  const interactions: AgentInteraction[] = [];
  for (const reply of spec.replies ?? []) {
    const replyAt = new Date(reply.at ?? spec.at);
    const inbound = em.create(Message, {
      tenant,
      conversation,
      channel,
      direction: 'inbound',
      text: 'question',
      createdAt: replyAt,
      processedAt: replyAt,
    });
    const interaction = em.create(AgentInteraction, {
      tenant,
      conversation,
      inboundMessage: inbound,
      replyText: 'answer',
      provider: reply.provider ?? 'gemini',
      model: reply.model ?? 'gemini-2.5-flash',
      costUsd: reply.costUsd ?? 0,
      latencyMs: reply.latencyMs ?? 0,
      modelVersionId: reply.modelVersionId ?? null,
      articleIds: reply.articleIds ?? [],
      createdAt: replyAt,
    });
    interactions.push(interaction);
    if (reply.helpful !== undefined || reply.implicitSatisfaction !== undefined) {
      em.create(InteractionFeedback, {
        tenant,
        interaction,
        helpful: reply.helpful ?? null,
        comment: reply.comment ?? null,
        implicitSatisfaction: reply.implicitSatisfaction ?? null,
        createdAt: replyAt,
      });
    }
  }
  for (const message of spec.agentMessages ?? []) {
    em.create(Message, {
      tenant,
      conversation,
      channel,
      direction: 'outbound',
      author: 'agent',
      text: 'agent reply',
      payload: { authorId: message.by },
      createdAt: new Date(message.at),
    });
  }
  for (const survey of spec.surveys ?? []) {
    em.create(CsatSurvey, {
      tenant,
      conversation,
      askedAt: new Date(survey.askedAt),
      score: survey.score ?? null,
      answeredAt: survey.answeredAt ? new Date(survey.answeredAt) : null,
    });
  }
  for (const conversion of spec.conversions ?? []) {
    em.create(Conversion, {
      tenant,
      conversation,
      kind: conversion.kind,
      valueUsd: conversion.valueUsd ?? null,
      occurredAt: new Date(conversion.at ?? spec.at),
    });
  }
  await em.flush();
  return { conversation, interactions };
}

export async function seedCorrection(
  em: EntityManager,
  tenantId: string,
  spec: {
    at: string;
    author: string;
    status?: CorrectionStatus;
    decidedBy?: string;
    decidedAt?: string;
    interaction?: AgentInteraction;
  },
): Promise<HumanCorrection> {
  const correction = em.create(HumanCorrection, {
    tenant: em.getReference(Tenant, tenantId),
    interaction: spec.interaction ?? null,
    originalReply: 'answer',
    correctedReply: 'better answer',
    authorId: spec.author,
    status: spec.status ?? 'pending',
    decidedBy: spec.decidedBy ?? null,
    decidedAt: spec.decidedAt ? new Date(spec.decidedAt) : null,
    createdAt: new Date(spec.at),
  });
  await em.flush();
  return correction;
}

export async function seedArticle(
  em: EntityManager,
  tenantId: string,
  spec: {
    question: string;
    topic: string | null;
    source?: 'seed' | 'correction';
    at: string;
    correction?: HumanCorrection;
  },
): Promise<KnowledgeArticle> {
  const article = em.create(KnowledgeArticle, {
    tenant: em.getReference(Tenant, tenantId),
    question: spec.question,
    answer: 'answer',
    topic: spec.topic,
    source: spec.source ?? 'seed',
    correction: spec.correction ?? null,
    createdAt: new Date(spec.at),
  });
  await em.flush();
  return article;
}
