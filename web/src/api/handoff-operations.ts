import { gql } from './client';
import type { Channel, ConversationStatus } from './operations';

/** The handoff desk's operations: the queue, take, reply as agent, release. */
export interface QueuedHandoff {
  conversation: {
    id: string;
    channel: Channel;
    status: ConversationStatus;
    customerName: string | null;
    contactId: string;
    handedOffAt: string | null;
    handoffReason: string | null;
    assignee: string | null;
    assignedAt: string | null;
    messages: { id: string; author: string; text: string; createdAt: string }[];
  };
  lastCustomerMessage: { text: string; createdAt: string } | null;
}

export const HANDOFF_QUEUE = gql<
  { handoffQueue: { totalCount: number; nodes: QueuedHandoff[] } },
  { unassignedOnly?: boolean }
>(`query HandoffQueue($unassignedOnly: Boolean) {
  handoffQueue(first: 20, unassignedOnly: $unassignedOnly) {
    totalCount
    nodes {
      conversation {
        id channel status customerName contactId handedOffAt handoffReason assignee assignedAt
        messages(last: 4) { id author text createdAt }
      }
      lastCustomerMessage { text createdAt }
    }
  }
}`);

export const TAKE_CONVERSATION = gql<{ takeConversation: string }, { id: string; force?: boolean }>(
  `mutation TakeConversation($id: ID!, $force: Boolean) { takeConversation(id: $id, force: $force) }`,
);

export const REPLY_AS_AGENT = gql<
  { replyAsAgent: { deliveryStatus: string; reason: string | null; messageId: string } },
  { id: string; text: string }
>(
  `mutation ReplyAsAgent($id: ID!, $text: String!) { replyAsAgent(id: $id, text: $text) { deliveryStatus reason messageId } }`,
);

export const RELEASE_CONVERSATION = gql<
  { releaseConversation: { released: boolean; noticeStatus: string | null } },
  { id: string }
>(`mutation ReleaseConversation($id: ID!) { releaseConversation(id: $id) { released noticeStatus } }`);

export const HANDOFF_OPERATIONS = { HANDOFF_QUEUE, TAKE_CONVERSATION, REPLY_AS_AGENT, RELEASE_CONVERSATION };
