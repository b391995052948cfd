import type { ChannelName, DeliveryStatus } from '../db/entities';
import { AppError } from '../errors';

/**
 * The channel-neutral way to say something to a customer. Code that is not a
 * channel (the Slack agent side, jobs, services) never calls a platform SDK: it
 * asks the registry for the conversation's channel and calls `deliver`. Each
 * channel adapter (channels/whatsapp, ...) registers itself at start-up.
 */
export type OutboundAuthor = 'agent' | 'bot' | 'system';

export interface DeliveryOptions {
  /** Who speaks: a human agent (from Slack), the bot, or parley itself (notices). */
  author: OutboundAuthor;
  /** Display name or identity of a human author, kept on the stored message (e.g. `slack:U123`). */
  authorId?: string | null;
}

export interface DeliveryReceipt {
  /** The stored outbound Message (always stored, whatever happened to the send). */
  messageId: string;
  /**
   * 'queued' / 'sent' when the platform accepted it; 'not_sent' when a platform
   * rule forbids sending (e.g. WhatsApp's 24-hour window; `reason` says which);
   * 'failed' when every retry failed (`reason` holds the last error).
   */
  status: DeliveryStatus;
  reason: string | null;
}

export interface CustomerChannel {
  readonly channel: ChannelName;
  /**
   * Store `text` as an outbound message of `conversationId`, then send it to the
   * customer (with the channel's own retries and platform rules). Resolves once
   * the outcome is recorded on the message; throws AppError NOT_FOUND when the
   * conversation does not exist or belongs to another channel.
   */
  deliver(conversationId: string, text: string, options: DeliveryOptions): Promise<DeliveryReceipt>;
}

/** Channels keyed by name; main.ts creates one and hands it to every channel and to the Slack app. */
export class CustomerChannelRegistry {
  private readonly channels = new Map<ChannelName, CustomerChannel>();

  register(channel: CustomerChannel): () => void {
    this.channels.set(channel.channel, channel);
    return () => {
      if (this.channels.get(channel.channel) === channel) this.channels.delete(channel.channel);
    };
  }

  has(name: ChannelName): boolean {
    return this.channels.has(name);
  }

  /** The adapter for `name`; throws CONFIG_INVALID when that channel is not running in this process. */
  get(name: ChannelName): CustomerChannel {
    const channel = this.channels.get(name);
    if (!channel)
      throw new AppError(
        'CONFIG_INVALID',
        `No ${name} channel is running in this process: configure and start it before delivering messages to ${name} customers`,
      );
    return channel;
  }

  /** Shorthand for `get(channel).deliver(...)`; the caller knows the channel from `Conversation.channel`. */
  deliver(
    channel: ChannelName,
    conversationId: string,
    text: string,
    options: DeliveryOptions,
  ): Promise<DeliveryReceipt> {
    return this.get(channel).deliver(conversationId, text, options);
  }
}
