import nodemailer from 'nodemailer';
import { PermanentNotifierError, type AlertSettingsReader } from './alert-routing';
import { notificationSubject, notificationText } from './alert-text';
import type { AlertNotifier } from './alert-types';

export interface EmailNotifierOptions {
  /** ALERT_SMTP_URL, e.g. `smtp://user:password@mail.example.com:587`. */
  smtpUrl: string;
  /** ALERT_EMAIL_FROM. */
  from: string;
  /** ALERT_EMAIL_TO: recipients for tenants that name none in `settings.alerts.email.to`. */
  defaultTo: string[];
  settingsFor: AlertSettingsReader;
  /** SMTP connection and greeting timeouts (ms). */
  timeoutMs?: number;
}

/**
 * Alert email through any SMTP server (nodemailer). An email cannot be edited,
 * so an update (resolved, acknowledged, another alert joined the group) is a
 * reply in the same thread: `In-Reply-To`/`References` carry the Message-ID of
 * the first email, which is this notifier's reference. The recipients of the
 * update are the tenant's current ones.
 */
export function createEmailNotifier(options: EmailNotifierOptions): AlertNotifier & { close(): void } {
  const timeout = options.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    url: options.smtpUrl,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 3,
  });
  /** SMTP 5xx replies (mailbox unknown, relaying denied) are permanent: no point retrying them. */
  const deliver = async (message: Parameters<typeof transport.sendMail>[0]) => {
    try {
      return await transport.sendMail(message);
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      if (code && code >= 500)
        throw new PermanentNotifierError(`SMTP refused the alert email: ${(error as Error).message}`);
      throw error;
    }
  };
  const recipients = async (tenantId: string) => (await options.settingsFor(tenantId)).email?.to ?? options.defaultTo;
  return {
    id: 'email',
    async send(notification) {
      const to = await recipients(notification.tenantId);
      if (!to.length) return null;
      const info = await deliver({
        from: options.from,
        to,
        subject: notificationSubject(notification),
        text: notificationText(notification),
        headers: { 'X-Parley-Alert-Keys': notification.alerts.map((alert) => alert.key).join(', ') },
      });
      return info.messageId;
    },
    async update(reference, notification) {
      const to = await recipients(notification.tenantId);
      if (!to.length) return;
      await deliver({
        from: options.from,
        to,
        subject: `Re: ${notificationSubject(notification)}`,
        text: notificationText(notification),
        inReplyTo: reference,
        references: [reference],
      });
    },
    close() {
      transport.close();
    },
  };
}
