import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { CHANNEL_NAMES, type ChannelName } from '../db/entities';
import type { CustomerChannelRegistry } from '../engine/outbound';
import type { Logger } from '../logger';

/**
 * End-of-conversation CSAT survey, Chatwoot's pattern: when a conversation the
 * bot answered has gone quiet, parley asks the customer to rate it 1–5; the
 * customer's next message, if it is a rating, is recorded (and thanked) instead
 * of being answered. The channel only delivers the question's text.
 *
 * `tenant.settings.csatSurvey`:
 * ```json
 * { "enabled": true, "afterIdleMinutes": 30, "channels": ["whatsapp"],
 *   "question": "How would you rate this conversation? Reply 1 (poor) to 5 (excellent).",
 *   "thanks": "Thank you for your rating!" }
 * ```
 */
export const csatSurveySettingsSchema = z
  .object({
    enabled: z.boolean(),
    /** Quiet time after the last message before the survey is sent (default 30). */
    afterIdleMinutes: z.number().int().min(1).max(1_380).optional(),
    /** Channels the survey is sent on (default WhatsApp). */
    channels: z.array(z.enum(CHANNEL_NAMES)).min(1).optional(),
    question: z.string().trim().min(1).max(1_000).optional(),
    thanks: z.string().trim().min(1).max(1_000).optional(),
  })
  .strict();

export interface CsatSurveySettings {
  enabled: boolean;
  afterIdleMinutes: number;
  channels: ChannelName[];
  question: string;
  thanks: string;
}

export const DEFAULT_SURVEY_QUESTION =
  'How would you rate this conversation? Reply with a number from 1 (very unsatisfied) to 5 (very satisfied).';
export const DEFAULT_SURVEY_THANKS = 'Thank you for your rating!';
/** A survey can be answered for this long after it was asked (WhatsApp's customer-service window). */
export const SURVEY_ANSWER_HOURS = 24;
/** A conversation quiet for longer than this is no longer surveyed (the WhatsApp window would refuse the message). */
const MAX_QUIET_HOURS = 23;

/** The tenant's survey settings; invalid or absent settings mean "no survey". */
export function surveySettings(settings: Record<string, unknown> | null | undefined): CsatSurveySettings | null {
  const parsed = csatSurveySettingsSchema.safeParse(settings?.csatSurvey);
  if (!parsed.success || !parsed.data.enabled) return null;
  return {
    enabled: true,
    afterIdleMinutes: parsed.data.afterIdleMinutes ?? 30,
    channels: parsed.data.channels ?? ['whatsapp'],
    question: parsed.data.question ?? DEFAULT_SURVEY_QUESTION,
    thanks: parsed.data.thanks ?? DEFAULT_SURVEY_THANKS,
  };
}

const STARS = /^\s*(⭐️?){1,5}\s*$/u;
const DIGIT = /^\s*([1-5])\s*(?:[./!)]|\/\s*5|stars?|⭐️?)?\s*$/iu;

/** The 1–5 rating a message gives ("4", "4/5", "5 stars", "⭐⭐⭐"), or null when it is not a rating. */
export function ratingOf(text: string): number | null {
  const digit = DIGIT.exec(text);
  if (digit) return Number(digit[1]);
  if (STARS.test(text)) return [...text.matchAll(/⭐/gu)].length;
  return null;
}

/**
 * Records `score` on the conversation's open survey (asked within the last
 * 24 hours, unanswered, nothing from the customer since). Returns false when
 * there is none: the message is then an ordinary one.
 */
export async function recordSurveyAnswer(
  em: EntityManager,
  input: { tenantId: string; conversationId: string; score: number; at: Date; messageId: string },
): Promise<boolean> {
  const rows = await em.getConnection().execute<Array<{ id: string }>>(
    `update csat_survey s set score = ?, answered_at = ?
      where s.id = (select id from csat_survey
                     where tenant_id = ? and conversation_id = ? and score is null and asked_at > ?
                       and not exists (select 1 from message m where m.conversation_id = csat_survey.conversation_id
                                         and m.direction = 'inbound' and m.created_at > csat_survey.asked_at and m.id <> ?)
                     order by asked_at desc limit 1)
      returning s.id`,
    [
      input.score,
      input.at,
      input.tenantId,
      input.conversationId,
      new Date(input.at.getTime() - SURVEY_ANSWER_HOURS * 3_600_000),
      input.messageId,
    ],
  );
  return rows.length > 0;
}

/**
 * The engine's hook: when `message` is a rating and its conversation has an
 * open survey, records it and returns the thanks to send; otherwise null (the
 * message is answered as usual).
 */
export async function answerSurvey(
  em: EntityManager,
  message: {
    id: string;
    tenantId: string;
    conversationId: string;
    kind: string;
    text: string;
    tenantSettings: Record<string, unknown>;
  },
  at: Date,
): Promise<string | null> {
  const rating = message.kind === 'text' || message.kind === 'button' ? ratingOf(message.text) : null;
  if (rating === null) return null;
  const recorded = await recordSurveyAnswer(em, {
    tenantId: message.tenantId,
    conversationId: message.conversationId,
    score: rating,
    at,
    messageId: message.id,
  });
  return recorded ? (surveySettings(message.tenantSettings)?.thanks ?? DEFAULT_SURVEY_THANKS) : null;
}

export interface SurveyJobResult {
  asked: string[];
  failed: string[];
}

/**
 * Asks every due conversation of every tenant with the survey on: the bot
 * answered it, it is with the bot (not a human), its last message is at least
 * `afterIdleMinutes` old (and under 23 hours), and it has not been surveyed
 * since the customer's last message nor in the last 24 hours. The survey row is written before the
 * message is sent, so a conversation is asked once even if two runs overlap.
 */
export async function askDueSurveys(
  em: EntityManager,
  options: { customers?: CustomerChannelRegistry; now?: Date; logger?: Logger; limit?: number },
): Promise<SurveyJobResult> {
  const now = options.now ?? new Date();
  const result: SurveyJobResult = { asked: [], failed: [] };
  if (!options.customers) return result;
  const connection = em.getConnection();
  const tenants = await connection.execute<Array<{ id: string; settings: Record<string, unknown> }>>(
    `select id, settings from tenant where disabled_at is null and settings->'csatSurvey'->>'enabled' = 'true'`,
  );
  for (const tenant of tenants) {
    const settings = surveySettings(tenant.settings);
    if (!settings) continue;
    const quietSince = new Date(now.getTime() - settings.afterIdleMinutes * 60_000);
    const candidates = await connection.execute<Array<{ id: string; channel: ChannelName }>>(
      `select c.id, c.channel from conversation c
        where c.tenant_id = ? and c.status = 'bot' and c.channel in (${settings.channels.map(() => '?').join(', ')})
          and c.last_activity_at > ? and c.last_activity_at <= ?
          and (select max(m.created_at) from message m where m.conversation_id = c.id) <= ?
          and exists (select 1 from agent_interaction i where i.conversation_id = c.id)
          and not exists (select 1 from csat_survey s where s.conversation_id = c.id
                            and (s.asked_at > ? or s.asked_at >= (select max(m.created_at) from message m
                                                where m.conversation_id = c.id and m.direction = 'inbound')))
        order by c.last_activity_at limit ?`,
      [
        tenant.id,
        ...settings.channels,
        new Date(now.getTime() - MAX_QUIET_HOURS * 3_600_000),
        quietSince,
        quietSince,
        new Date(now.getTime() - SURVEY_ANSWER_HOURS * 3_600_000),
        options.limit ?? 500,
      ],
    );
    for (const candidate of candidates) {
      if (!options.customers.has(candidate.channel)) continue;
      const [survey] = await connection.execute<Array<{ id: string }>>(
        `insert into csat_survey (id, tenant_id, created_at, conversation_id, asked_at)
         select gen_random_uuid(), ?, ?, ?, ?
          where not exists (select 1 from csat_survey s where s.conversation_id = ? and s.asked_at > ?)
         returning id`,
        [tenant.id, now, candidate.id, now, candidate.id, new Date(now.getTime() - SURVEY_ANSWER_HOURS * 3_600_000)],
      );
      if (!survey) continue;
      try {
        const receipt = await options.customers.deliver(candidate.channel, candidate.id, settings.question, {
          author: 'system',
        });
        await connection.execute('update csat_survey set message_id = ? where id = ?', [receipt.messageId, survey.id]);
        if (receipt.status === 'failed' || receipt.status === 'not_sent') result.failed.push(candidate.id);
        else result.asked.push(candidate.id);
      } catch (error) {
        options.logger?.warn({ err: error, conversationId: candidate.id }, 'the CSAT survey could not be delivered');
        result.failed.push(candidate.id);
      }
    }
  }
  return result;
}
