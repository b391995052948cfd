import type { Counter } from 'prom-client';
import { counterOn, type Metrics } from '../../src/metrics';

/** The WhatsApp channel's counters; null when the channel runs without a registry. */
export interface WhatsAppMetrics {
  /** Twilio webhooks by route (inbound, status) and outcome (stored, duplicate, recorded, ignored, forbidden, bad_request). */
  webhooks: Counter<'route' | 'outcome'>;
  /** Replies by the delivery outcome recorded after the send. */
  sends: Counter<'status'>;
}

export function createWhatsAppMetrics(metrics: Metrics | undefined): WhatsAppMetrics | null {
  if (!metrics) return null;
  return {
    webhooks: counterOn(metrics.registry, {
      name: 'parley_whatsapp_webhooks_total',
      help: 'Twilio WhatsApp webhooks by route and outcome',
      labelNames: ['route', 'outcome'],
    }),
    sends: counterOn(metrics.registry, {
      name: 'parley_whatsapp_sends_total',
      help: 'WhatsApp replies by recorded delivery outcome',
      labelNames: ['status'],
    }),
  };
}
