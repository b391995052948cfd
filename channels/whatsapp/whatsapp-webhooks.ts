import type { EntityManager } from '@mikro-orm/postgresql';
import express, { type Request, type Response } from 'express';
import twilio from 'twilio';
import type { ConversationEngine } from '../../src/engine/types';
import type { RouteMounter } from '../../src/http';
import type { Logger } from '../../src/logger';
import { diagnoseSignature, type SignatureMismatchReporter } from './signature-diagnosis';
import { parseInboundWebhook, parseStatusCallback, type FormFields } from './whatsapp-message';
import type { WhatsAppMetrics } from './whatsapp-metrics';
import { recordStatus } from './whatsapp-status';
import type { WhatsAppTenant, WhatsAppTenantDirectory } from './whatsapp-tenants';
import type { WhatsAppFlow } from './whatsapp-flow';

export const INBOUND_PATH = '/channels/whatsapp/inbound';
export const STATUS_PATH = '/channels/whatsapp/status';
/** Twilio waits for an answer to the webhook; an empty TwiML response means "no reply in-band" (we reply through the REST API). */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

export interface WebhookDependencies {
  /** The public base URL Twilio calls (signatures cover the full URL). */
  publicBaseUrl: string;
  /** The account-wide auth token, for numbers without a tenant binding. */
  fallbackAuthToken: string | null;
  em: () => EntityManager;
  engine: ConversationEngine;
  directory: WhatsAppTenantDirectory;
  flow: WhatsAppFlow;
  metrics: WhatsAppMetrics | null;
  log: Logger;
  /** Logs the first signature mismatch that a wrong PUBLIC_BASE_URL explains, and shows it in /readyz. */
  mismatches: SignatureMismatchReporter;
}

/**
 * Twilio's two webhooks: inbound messages (verify the signature, store the
 * message through the engine, answer Twilio at once, queue the turn) and
 * delivery status callbacks.
 */
export function createWebhookRoutes(deps: WebhookDependencies): RouteMounter {
  const { directory, metrics, log } = deps;

  async function verify(request: Request, response: Response, tenant: WhatsAppTenant | null): Promise<boolean> {
    const signature = request.header('x-twilio-signature');
    const fields = formOf(request);
    // Twilio signs the URL it called: the public base URL plus the path and query as received.
    const url = `${deps.publicBaseUrl}${request.originalUrl}`;
    const credentials = tenant ? await directory.credentialsFor(tenant) : null;
    const token = credentials?.authToken ?? (tenant ? null : deps.fallbackAuthToken);
    if (!signature || !token || !twilio.validateRequest(token, signature, url, fields)) {
      if (signature && token) deps.mismatches.report(diagnoseSignature(token, signature, fields, url, request));
      metrics?.webhooks.inc({ route: request.path === STATUS_PATH ? 'status' : 'inbound', outcome: 'forbidden' });
      log.warn(
        { path: request.path, hasSignature: Boolean(signature) },
        'rejected a WhatsApp webhook with a missing or invalid signature',
      );
      response.status(403).json({
        error: {
          code: 'FORBIDDEN',
          message:
            "Invalid or missing X-Twilio-Signature: the request was not signed by Twilio with this account's auth token",
        },
      });
      return false;
    }
    return true;
  }

  async function inbound(request: Request, response: Response): Promise<void> {
    const fields = formOf(request);
    const to = typeof fields.To === 'string' ? fields.To : '';
    const serviceSid = typeof fields.MessagingServiceSid === 'string' ? fields.MessagingServiceSid : null;
    const tenant = to || serviceSid ? await directory.resolve(to, serviceSid) : null;
    if (!(await verify(request, response, tenant))) return;
    if (!tenant)
      return badRequest(
        response,
        'inbound',
        `No tenant receives WhatsApp messages on ${to || 'an empty To'}: bind the number to a tenant (settings.channels.whatsapp.numbers)`,
      );
    const parsed = parseInboundWebhook(fields);
    if (!parsed.ok) return badRequest(response, 'inbound', parsed.reason);
    const message = parsed.value;
    const received = await deps.engine.receive({
      tenantId: tenant.tenantId,
      channel: 'whatsapp',
      externalId: message.from,
      displayName: message.profileName,
      text: message.text,
      kind: message.kind,
      channelMessageId: message.messageSid,
      payload: message.payload,
      receivedAt: new Date(),
    });
    // Stored: now Twilio may have its answer. The turn runs after, through the REST API.
    response.status(200).type('text/xml').send(EMPTY_TWIML);
    metrics?.webhooks.inc({ route: 'inbound', outcome: received.duplicate ? 'duplicate' : 'stored' });
    if (received.duplicate) log.info({ messageSid: message.messageSid }, 'duplicate WhatsApp delivery acknowledged');
    // A duplicate is queued only if this process is not already on it; the worker skips answered messages.
    const known = received.duplicate
      ? undefined
      : { tenantId: tenant.tenantId, conversationId: received.conversationId, kind: message.kind, text: message.text };
    deps.flow.answer(received.conversationId, received.messageId, known);
  }

  async function status(request: Request, response: Response): Promise<void> {
    const fields = formOf(request);
    const from = typeof fields.From === 'string' ? fields.From : '';
    const serviceSid = typeof fields.MessagingServiceSid === 'string' ? fields.MessagingServiceSid : null;
    const tenant = from || serviceSid ? await directory.resolve(from, serviceSid) : null;
    if (!(await verify(request, response, tenant))) return;
    if (!tenant)
      return badRequest(response, 'status', `No tenant sends WhatsApp messages from ${from || 'an empty From'}`);
    const parsed = parseStatusCallback(fields);
    if (!parsed.ok) return badRequest(response, 'status', parsed.reason);
    const recorded = await recordStatus(deps.em(), tenant.tenantId, parsed.value);
    metrics?.webhooks.inc({ route: 'status', outcome: recorded ? 'recorded' : 'ignored' });
    response.status(204).end();
  }

  function badRequest(response: Response, route: string, reason: string): void {
    metrics?.webhooks.inc({ route, outcome: 'bad_request' });
    response.status(400).json({ error: { code: 'BAD_USER_INPUT', message: reason } });
  }

  return (app) => {
    const router = express.Router();
    // Only these routes parse forms: the app has no global body parser (signatures need the raw fields).
    const form = express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 500 });
    router.post(INBOUND_PATH, form, inbound);
    router.post(STATUS_PATH, form, status);
    app.use(router);
  };
}

function formOf(request: Request): FormFields {
  const body: unknown = request.body;
  return body && typeof body === 'object' ? (body as FormFields) : {};
}
