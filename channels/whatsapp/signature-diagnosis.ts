import twilio from 'twilio';
import type { Logger } from '../../src/logger';
import type { ReadinessNotes } from '../../src/readiness';
import type { FormFields } from './whatsapp-message';

/**
 * Why a Twilio signature did not match. Twilio signs the exact URL it called,
 * so a PUBLIC_BASE_URL that differs from the address configured in Twilio
 * (http vs https, a missing path prefix, another host) fails every real webhook
 * with 403. The URLs Twilio may have used are rebuilt from the request's Host
 * and X-Forwarded-* headers (read here for diagnosis only: they never decide
 * whether a request is accepted) and tried with the same token.
 */
export interface SignatureDiagnosis {
  expectedUrl: string;
  /** The rebuilt URL the signature does match, when one does: then PUBLIC_BASE_URL is wrong. */
  signedUrl: string | null;
  /** Every URL tried, for the log. */
  candidates: string[];
}

export interface RequestFacts {
  originalUrl: string;
  header(name: string): string | undefined;
}

export function candidateUrls(request: RequestFacts): string[] {
  const first = (value: string | undefined) => value?.split(',')[0]?.trim() || null;
  const hosts = [first(request.header('x-forwarded-host')), first(request.header('host'))].filter(
    (value): value is string => Boolean(value),
  );
  const forwardedProto = first(request.header('x-forwarded-proto'));
  const protocols = forwardedProto ? [forwardedProto, 'https', 'http'] : ['https', 'http'];
  const prefix = first(request.header('x-forwarded-prefix'))?.replace(/\/+$/, '') ?? '';
  const urls = new Set<string>();
  for (const host of hosts) {
    for (const protocol of protocols) {
      urls.add(`${protocol}://${host}${prefix}${request.originalUrl}`);
      // Twilio signs without a default port when the console URL has none.
      urls.add(`${protocol}://${host.replace(/:(80|443)$/, '')}${prefix}${request.originalUrl}`);
    }
  }
  return [...urls];
}

export function diagnoseSignature(
  token: string,
  signature: string,
  fields: FormFields,
  expectedUrl: string,
  request: RequestFacts,
): SignatureDiagnosis {
  const candidates = candidateUrls(request).filter((url) => url !== expectedUrl);
  const params = fields as Record<string, string>;
  const signedUrl = candidates.find((url) => twilio.validateRequest(token, signature, url, params)) ?? null;
  return { expectedUrl, signedUrl, candidates };
}

/**
 * Logs the first mismatch of the process loudly (later ones stay at warn in
 * the channel) and, when a rebuilt URL proves PUBLIC_BASE_URL wrong, shows it
 * in /readyz details until the process restarts with the fix.
 */
export class SignatureMismatchReporter {
  private logged = false;
  private count = 0;

  constructor(
    private readonly log: Logger,
    private readonly readiness: ReadinessNotes | null,
  ) {}

  report(diagnosis: SignatureDiagnosis): void {
    this.count += 1;
    if (!this.logged) {
      this.logged = true;
      if (diagnosis.signedUrl) {
        this.log.error(
          { expectedUrl: diagnosis.expectedUrl, signedUrl: diagnosis.signedUrl },
          `Twilio signature mismatch: parley checked against ${diagnosis.expectedUrl} but Twilio signed ${diagnosis.signedUrl}. Set PUBLIC_BASE_URL to match the webhook URL configured in Twilio: until then every webhook gets 403`,
        );
      } else {
        this.log.error(
          { expectedUrl: diagnosis.expectedUrl, triedUrls: diagnosis.candidates },
          `Twilio signature mismatch: parley checked against ${diagnosis.expectedUrl}; no URL rebuilt from the Host/X-Forwarded-* headers matches either, so the auth token is wrong or the request was not sent by Twilio`,
        );
      }
    }
    if (diagnosis.signedUrl) {
      this.readiness?.report('twilioSignature', {
        problem: 'PUBLIC_BASE_URL does not match the URL Twilio signs: WhatsApp webhooks are refused with 403',
        expectedUrl: diagnosis.expectedUrl,
        signedUrl: diagnosis.signedUrl,
        mismatches: this.count,
      });
    }
  }
}
