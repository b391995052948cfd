import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '../api/hooks';
import {
  HANDOFF_QUEUE,
  RELEASE_CONVERSATION,
  REPLY_AS_AGENT,
  TAKE_CONVERSATION,
  type QueuedHandoff,
} from '../api/handoff-operations';
import { Empty, ErrorNotice, QueryView } from '../components/states';
import { formatActor, formatAgo, formatDateTime } from '../lib/format';
import { navigate } from '../lib/router';
import { useCan } from '../session-context';

/** Conversations handed to a human, longest waiting first: take, reply as agent, release to the bot. */
export function HandoffsPage() {
  const [unassignedOnly, setUnassignedOnly] = useState(false);
  const state = useQuery(HANDOFF_QUEUE, { unassignedOnly });
  return (
    <>
      <div className="page-head">
        <h1>Handoff desk</h1>
        <button type="button" onClick={state.reload}>
          Refresh
        </button>
      </div>
      <div className="tabs" role="tablist" aria-label="Which conversations">
        {[
          { id: false, label: 'Waiting and taken' },
          { id: true, label: 'Waiting only' },
        ].map((entry) => (
          <button
            key={entry.label}
            type="button"
            role="tab"
            aria-selected={unassignedOnly === entry.id}
            className={unassignedOnly === entry.id ? 'tab tab-active' : 'tab'}
            onClick={() => setUnassignedOnly(entry.id)}
          >
            {entry.label}
          </button>
        ))}
      </div>
      <QueryView state={state}>
        {(data) =>
          data.handoffQueue.nodes.length === 0 ? (
            <Empty title="Nobody is waiting for a human.">
              The bot hands a conversation over when a customer asks for a person or it cannot answer; those
              conversations queue here (and in Slack, when a handoff channel is set).
            </Empty>
          ) : (
            <ul className="cards">
              {data.handoffQueue.nodes.map((entry) => (
                <HandoffCard key={entry.conversation.id} entry={entry} onChanged={state.reload} />
              ))}
            </ul>
          )
        }
      </QueryView>
    </>
  );
}

function HandoffCard({ entry, onChanged }: { entry: QueuedHandoff; onChanged: () => void }) {
  const canAnswer = useCan('corrections:write');
  const conversation = entry.conversation;
  const [text, setText] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const take = useMutation(TAKE_CONVERSATION);
  const reply = useMutation(REPLY_AS_AGENT);
  const release = useMutation(RELEASE_CONVERSATION);
  const error = take.error ?? reply.error ?? release.error;
  const who = conversation.customerName ?? conversation.contactId;

  async function send(event: FormEvent) {
    event.preventDefault();
    const result = await reply.run({ id: conversation.id, text: text.trim() });
    if (result) {
      setText('');
      setNotice(
        `Sent (${result.replyAsAgent.deliveryStatus}${result.replyAsAgent.reason ? `: ${result.replyAsAgent.reason}` : ''}).`,
      );
      onChanged();
    }
  }
  return (
    <li className="card" aria-label={`Handoff: ${who}`}>
      <div className="card-head">
        <strong>{who}</strong>
        <span className="badge">{conversation.channel.toLowerCase()}</span>
        <span className={conversation.assignee ? 'badge' : 'badge badge-waiting'}>
          {conversation.assignee ? `taken by ${formatActor(conversation.assignee)}` : 'waiting'}
        </span>
        <span className="muted small">
          handed off {formatAgo(conversation.handedOffAt)} ({formatDateTime(conversation.handedOffAt)})
          {conversation.handoffReason ? ` · ${conversation.handoffReason}` : ''}
        </span>
      </div>
      <ol className="transcript compact">
        {conversation.messages.map((message) => (
          <li key={message.id} className={`bubble bubble-${message.author.toLowerCase()}`}>
            <span className="bubble-meta muted small">{message.author.toLowerCase()}</span>
            <span className="bubble-text">{message.text}</span>
          </li>
        ))}
      </ol>
      {notice ? (
        <p className="state state-ok" role="status">
          {notice}
        </p>
      ) : null}
      {canAnswer ? (
        <>
          <form className="row" onSubmit={send}>
            <label className="grow">
              Reply as agent
              <textarea rows={2} value={text} onChange={(event) => setText(event.target.value)} />
            </label>
            <button type="submit" className="primary" disabled={reply.pending || !text.trim()}>
              Send
            </button>
          </form>
          <div className="row">
            {!conversation.assignee ? (
              <button
                type="button"
                disabled={take.pending}
                onClick={async () => (await take.run({ id: conversation.id })) && onChanged()}
              >
                Take
              </button>
            ) : null}
            <button
              type="button"
              disabled={release.pending}
              onClick={async () => (await release.run({ id: conversation.id })) && onChanged()}
            >
              Release to the bot
            </button>
            <button type="button" className="link" onClick={() => navigate(`/conversations/${conversation.id}`)}>
              Full transcript
            </button>
          </div>
        </>
      ) : (
        <p className="muted small">Answering customers needs a key with the corrections:write scope.</p>
      )}
      {error ? <ErrorNotice error={error} /> : null}
    </li>
  );
}
