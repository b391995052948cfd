import type { Config } from '../../src/config';
import { ConfigError } from '../../src/errors';

/** What the Slack app needs from the service configuration. */
export interface SlackConfig {
  botToken: string;
  signingSecret: string;
  /** Web API base URL, ending in a slash (a fake Slack in tests). */
  apiUrl: string;
  /** Where Slack reaches parley (manifest URLs, links in messages). */
  publicBaseUrl: string;
  /** Seconds between sweeps for idle handed-off conversations. */
  idleSweepSeconds: number;
}

/**
 * The Slack settings, or null when Slack is off (neither the bot token nor the
 * signing secret is set). One without the other is a mistake worth stopping
 * for: the app could post but never verify what Slack sends, or the reverse.
 */
export function slackConfigFrom(config: Config): SlackConfig | null {
  const token = config.SLACK_BOT_TOKEN;
  const secret = config.SLACK_SIGNING_SECRET;
  if (!token && !secret) return null;
  if (!secret)
    throw new ConfigError(
      'SLACK_SIGNING_SECRET',
      'is required when SLACK_BOT_TOKEN is set (Slack app → Basic Information → Signing Secret)',
    );
  if (!token)
    throw new ConfigError(
      'SLACK_BOT_TOKEN',
      'is required when SLACK_SIGNING_SECRET is set (Slack app → OAuth & Permissions → Bot User OAuth Token)',
    );
  return {
    botToken: token,
    signingSecret: secret,
    apiUrl: config.SLACK_API_URL,
    publicBaseUrl: config.publicBaseUrl,
    idleSweepSeconds: config.SLACK_IDLE_SWEEP_SECONDS,
  };
}
