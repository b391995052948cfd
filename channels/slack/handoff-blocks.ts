import type { MessageAuthor } from '../../src/db/entities';
import { actorMention, button, clip, context, escapeMrkdwn, section, slackDate, type Block } from './slack-text';

export interface HandoffView {
  conversationId: string;
  customer: string;
  channel: string;
  reason: string;
  handedOffAt: Date;
  /** The last messages, oldest first. */
  messages: Array<{ author: MessageAuthor; text: string }>;
  /** `slack:U123` once someone took it. */
  assignee: string | null;
  /** Set once the conversation went back to the bot. */
  released: { by: string; at: Date } | null;
}

const AUTHOR_LABEL: Record<MessageAuthor, string> = {
  customer: 'Customer',
  bot: 'Bot',
  agent: 'Agent',
  system: 'parley',
};

export const HANDOFF_TAKE = 'handoff_take';
export const HANDOFF_RELEASE = 'handoff_release';

/** The handoff post: who, where, why, the recent exchange, and the buttons that fit its state. */
export function handoffBlocks(view: HandoffView): Block[] {
  const transcript = view.messages.length
    ? view.messages
        .map((message) => `*${AUTHOR_LABEL[message.author]}:* ${escapeMrkdwn(clip(message.text, 400))}`)
        .join('\n')
    : '_No messages yet._';
  const blocks: Block[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: view.released ? 'Conversation back with the bot' : 'Conversation handed off to a human',
      },
    },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Customer*\n${escapeMrkdwn(view.customer)}` },
        { type: 'mrkdwn', text: `*Channel*\n${escapeMrkdwn(view.channel)}` },
        { type: 'mrkdwn', text: `*Why*\n${escapeMrkdwn(clip(view.reason, 300))}` },
        { type: 'mrkdwn', text: `*Since*\n${slackDate(view.handedOffAt)}` },
      ],
    },
    section(`*Last messages*\n${transcript}`),
  ];
  if (view.released) {
    blocks.push(
      context(
        `↩️ Given back to the bot by ${actorMention(view.released.by)} ${slackDate(view.released.at)}. Replies in this thread are no longer sent.`,
      ),
    );
    return blocks;
  }
  if (view.assignee)
    blocks.push(
      context(`🙋 ${actorMention(view.assignee)} has this conversation. Reply in this thread to answer the customer.`),
    );
  else blocks.push(context('Press *Take it*, then reply in this thread: each reply goes to the customer.'));
  blocks.push({
    type: 'actions',
    block_id: 'handoff_actions',
    elements: [
      ...(view.assignee ? [] : [button('Take it', HANDOFF_TAKE, view.conversationId, 'primary')]),
      button('Give back to bot', HANDOFF_RELEASE, view.conversationId),
    ],
  });
  return blocks;
}

export function handoffText(view: HandoffView): string {
  return view.released
    ? `Conversation with ${view.customer} is back with the bot`
    : `Handoff: ${view.customer} on ${view.channel} (${view.reason})`;
}
