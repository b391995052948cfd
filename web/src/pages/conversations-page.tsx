import { useMemo, useState } from 'react';
import { useQuery } from '../api/hooks';
import {
  CONVERSATION,
  CONVERSATIONS,
  type Channel,
  type ConversationMessage,
  type ConversationStatus,
} from '../api/operations';
import { CorrectionForm } from '../components/correction-form';
import { VoteBadge } from '../components/vote-badge';
import { Empty, QueryView } from '../components/states';
import { formatAgo, formatCount, formatDateTime, formatDuration, formatUsd } from '../lib/format';
import { navigate } from '../lib/router';
import { useCan } from '../session-context';
import type { PageProps } from '.';
import { Pager } from '../components/pager';

const STATUS_LABEL: Record<ConversationStatus, string> = {
  BOT: 'With the bot',
  HANDED_OFF: 'Handed off',
  CLOSED: 'Closed',
};

export function ConversationsPage({ rest }: PageProps) {
  return rest ? <Transcript id={decodeURIComponent(rest)} /> : <ConversationList />;
}

function ConversationList() {
  const [status, setStatus] = useState<ConversationStatus | ''>('');
  const [channel, setChannel] = useState<Channel | ''>('');
  const [pages, setPages] = useState<(string | null)[]>([null]);
  const after = pages[pages.length - 1] ?? null;
  const variables = useMemo(
    () => ({ first: 25, after, filter: { ...(status ? { status } : {}), ...(channel ? { channel } : {}) } }),
    [status, channel, after],
  );
  const state = useQuery(CONVERSATIONS, variables);
  const resetPaging = () => setPages([null]);
  return (
    <>
      <div className="page-head">
        <h1>Conversations</h1>
        <div className="filters" role="group" aria-label="Filters">
          <label>
            Status{' '}
            <select
              value={status}
              onChange={(event) => {
                setStatus(event.target.value as ConversationStatus | '');
                resetPaging();
              }}
            >
              <option value="">All</option>
              <option value="BOT">With the bot</option>
              <option value="HANDED_OFF">Handed off (queue)</option>
              <option value="CLOSED">Closed</option>
            </select>
          </label>
          <label>
            Channel{' '}
            <select
              value={channel}
              onChange={(event) => {
                setChannel(event.target.value as Channel | '');
                resetPaging();
              }}
            >
              <option value="">All</option>
              <option value="WHATSAPP">WhatsApp</option>
              <option value="SLACK">Slack</option>
              <option value="TERMINAL">Terminal</option>
              <option value="API">API</option>
            </select>
          </label>
        </div>
      </div>
      <QueryView state={state}>
        {(data) =>
          data.conversations.nodes.length === 0 ? (
            <Empty title="No conversations yet.">
              Customers' conversations appear here as soon as they write on WhatsApp or Slack; try the bot with{' '}
              <code>npm run chat</code>.
            </Empty>
          ) : (
            <>
              <p className="muted small">{formatCount(data.conversations.totalCount)} conversations</p>
              <div className="table-scroll">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Customer</th>
                      <th scope="col">Channel</th>
                      <th scope="col">Status</th>
                      <th scope="col">Started</th>
                      <th scope="col">Last activity</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.conversations.nodes.map((conversation) => (
                      <tr key={conversation.id}>
                        <td>
                          <a
                            href={`/admin/conversations/${conversation.id}`}
                            onClick={(event) => {
                              event.preventDefault();
                              navigate(`/conversations/${conversation.id}`);
                            }}
                          >
                            {conversation.customerName ?? `Customer ${conversation.contactId.slice(0, 8)}`}
                          </a>
                        </td>
                        <td>{conversation.channel.toLowerCase()}</td>
                        <td>
                          <span className={`badge badge-${conversation.status.toLowerCase()}`}>
                            {STATUS_LABEL[conversation.status]}
                          </span>
                          {conversation.handoffReason ? (
                            <div className="muted small">{conversation.handoffReason}</div>
                          ) : null}
                        </td>
                        <td>{formatDateTime(conversation.startedAt)}</td>
                        <td>{formatAgo(conversation.lastActivityAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager pages={pages} setPages={setPages} pageInfo={data.conversations.pageInfo} />
            </>
          )
        }
      </QueryView>
    </>
  );
}

function Transcript({ id }: { id: string }) {
  const state = useQuery(CONVERSATION, { id });
  return (
    <>
      <p>
        <a
          href="/admin/conversations"
          onClick={(event) => {
            event.preventDefault();
            navigate('/conversations');
          }}
        >
          ← All conversations
        </a>
      </p>
      <QueryView state={state}>
        {(data) => {
          const conversation = data.conversation;
          if (!conversation) return <Empty title="No conversation with this id in your tenant." />;
          return (
            <>
              <h1>{conversation.customerName ?? `Customer ${conversation.contactId.slice(0, 8)}`}</h1>
              <p className="muted">
                {conversation.channel.toLowerCase()} · {STATUS_LABEL[conversation.status]} · started{' '}
                {formatDateTime(conversation.startedAt)}
                {conversation.handedOffAt
                  ? ` · handed off ${formatDateTime(conversation.handedOffAt)} (${conversation.handoffReason ?? 'no reason'})`
                  : ''}
              </p>
              <ol className="transcript">
                {conversation.messages.map((message) => (
                  <MessageItem key={message.id} message={message} />
                ))}
              </ol>
            </>
          );
        }}
      </QueryView>
    </>
  );
}

function MessageItem({ message }: { message: ConversationMessage }) {
  const canCorrect = useCan('corrections:write');
  const [correcting, setCorrecting] = useState(false);
  const reply = message.botReply;
  return (
    <li className={`bubble bubble-${message.author.toLowerCase()}`}>
      <div className="bubble-meta">
        <strong>
          {message.author === 'CUSTOMER'
            ? 'Customer'
            : message.author === 'BOT'
              ? 'Bot'
              : message.author === 'AGENT'
                ? 'Agent'
                : 'System'}
        </strong>{' '}
        · <time dateTime={message.createdAt}>{formatDateTime(message.createdAt)}</time>
        {message.deliveryStatus ? ` · ${message.deliveryStatus}` : ''}
      </div>
      <div className="bubble-text">{message.text}</div>
      {reply ? (
        <div className="reply-details">
          <dl>
            <div>
              <dt>Route</dt>
              <dd>
                {reply.provider} / {reply.model}
                {reply.failover ? ' (failover)' : ''}
                {reply.cacheHit ? ' (cache)' : ''}
              </dd>
            </div>
            <div className="wide">
              <dt>Why</dt>
              <dd>
                {reply.routingReason || '—'} (complexity {reply.complexityScore.toFixed(2)})
              </dd>
            </div>
            <div>
              <dt>Cost</dt>
              <dd>
                {formatUsd(reply.costUsd)} · {formatCount(reply.totalTokens)} tokens
              </dd>
            </div>
            <div>
              <dt>Latency</dt>
              <dd>{formatDuration(reply.latencyMs)}</dd>
            </div>
            <div>
              <dt>Feedback</dt>
              <dd>
                <VoteBadge helpful={reply.feedback?.helpful ?? null} />
                {reply.feedback?.comment ? ` “${reply.feedback.comment}”` : ''}
              </dd>
            </div>
          </dl>
          {canCorrect ? (
            correcting ? (
              <CorrectionForm interactionId={reply.interactionId} initialText={message.text} />
            ) : (
              <button type="button" onClick={() => setCorrecting(true)}>
                Correct this reply
              </button>
            )
          ) : null}
        </div>
      ) : null}
    </li>
  );
}
