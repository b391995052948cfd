import type { types as SlackTypes } from '@slack/bolt';

export type Block = SlackTypes.KnownBlock;

/**
 * Slack sends message text in its markup: `&`, `<`, `>` escaped, links as
 * `<url|label>`, mentions as `<@U123>`. A customer on WhatsApp should read
 * what the agent meant, so links keep their URL and markup goes.
 */
export function slackTextToPlain(text: string): string {
  return text
    .replace(/<mailto:([^|>]+)\|([^>]+)>/g, '$2')
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, (_all, url: string, label: string) =>
      label === url ? url : `${label} (${url})`,
    )
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replace(/<[@#!][^|>]*\|([^>]+)>/g, '$1')
    .replace(/<[@#!]([^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

/** Text safe to put inside Slack mrkdwn: the three characters Slack asks apps to escape. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack limits section text to 3,000 characters; long customer text is cut with a marker. */
export function clip(text: string, max = 2800): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `<@U123>` for Slack actors (`slack:U123`), the actor itself otherwise. */
export function actorMention(actor: string | null): string {
  if (!actor) return 'someone';
  return actor.startsWith('slack:') ? `<@${actor.slice('slack:'.length)}>` : actor;
}

/** A date Slack renders in each reader's time zone, with a fallback for clients that cannot. */
export function slackDate(date: Date): string {
  const seconds = Math.floor(date.getTime() / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${date.toISOString()}>`;
}

export function markdown(text: string): SlackTypes.MrkdwnElement {
  return { type: 'mrkdwn', text };
}

export function plain(text: string): SlackTypes.PlainTextElement {
  return { type: 'plain_text', text: clip(text, 150), emoji: true };
}

export function section(text: string): Block {
  return { type: 'section', text: markdown(clip(text)) };
}

export function context(text: string): Block {
  return { type: 'context', elements: [markdown(clip(text))] };
}

export function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): SlackTypes.Button {
  return { type: 'button', text: plain(text), action_id: actionId, value, ...(style ? { style } : {}) };
}
