import { useMemo, useState } from 'react';
import { useQuery } from '../api/hooks';
import { FEEDBACK_LIST, type Feedback } from '../api/operations';
import { CorrectionForm } from '../components/correction-form';
import { VoteBadge } from '../components/vote-badge';
import { Empty, QueryView } from '../components/states';
import { formatCount, formatDateTime, formatRate } from '../lib/format';
import { navigate } from '../lib/router';
import { useCan } from '../session-context';
import { Pager } from '../components/pager';

const VIEWS = [
  { id: 'down', label: 'Not helpful', filter: { helpful: false } },
  { id: 'commented', label: 'With a comment', filter: { hasComment: true } },
  { id: 'voted', label: 'All votes', filter: { voted: true } },
] as const;

/** Not-helpful (👎) and commented replies first; a correction can be written in place. */
export function FeedbackPage() {
  const [view, setView] = useState<(typeof VIEWS)[number]['id']>('down');
  const [pages, setPages] = useState<(string | null)[]>([null]);
  const filter = VIEWS.find((entry) => entry.id === view)!.filter;
  const variables = useMemo(
    () => ({ first: 20, after: pages[pages.length - 1] ?? null, filter: { ...filter } }),
    [filter, pages],
  );
  const state = useQuery(FEEDBACK_LIST, variables);
  return (
    <>
      <div className="page-head">
        <h1>Feedback review</h1>
      </div>
      <div className="tabs" role="tablist" aria-label="Which feedback">
        {VIEWS.map((entry) => (
          <button
            key={entry.id}
            type="button"
            role="tab"
            aria-selected={view === entry.id}
            className={view === entry.id ? 'tab tab-active' : 'tab'}
            onClick={() => {
              setView(entry.id);
              setPages([null]);
            }}
          >
            {entry.label}
          </button>
        ))}
      </div>
      <QueryView state={state}>
        {(data) =>
          data.feedback.nodes.length === 0 ? (
            <Empty
              title={
                view === 'down'
                  ? 'No “not helpful” votes yet.'
                  : view === 'commented'
                    ? 'No comments yet.'
                    : 'No feedback yet.'
              }
            >
              Customers vote with the helpful / not helpful buttons under the bot's replies on WhatsApp (how often:
              Settings → feedback prompts), agents vote in Slack, and apps can call the public{' '}
              <code>submitFeedback</code> mutation with a reply's feedback token.
            </Empty>
          ) : (
            <>
              <p className="muted small">{formatCount(data.feedback.totalCount)} replies</p>
              <ul className="cards">
                {data.feedback.nodes.map((row) => (
                  <FeedbackCard key={row.id} row={row} />
                ))}
              </ul>
              <Pager pages={pages} setPages={setPages} pageInfo={data.feedback.pageInfo} />
            </>
          )
        }
      </QueryView>
    </>
  );
}

function FeedbackCard({ row }: { row: Feedback }) {
  const canCorrect = useCan('corrections:write');
  const [open, setOpen] = useState(false);
  return (
    <li className="card">
      <div className="card-head">
        <VoteBadge helpful={row.helpful} />
        <span className="muted small">
          {formatDateTime(row.votedAt ?? row.createdAt)} · {row.source?.toLowerCase() ?? 'implicit signals'}
          {row.requestedHandoff ? ' · asked for a human' : ''}
          {row.implicitSatisfaction !== null ? ` · satisfaction ${formatRate(row.implicitSatisfaction)}` : ''}
        </span>
      </div>
      {row.replyText ? <blockquote className="reply-text">{row.replyText}</blockquote> : null}
      {row.comment ? <p className="comment">“{row.comment}”</p> : null}
      <div className="row">
        {row.conversationId ? (
          <a
            href={`/admin/conversations/${row.conversationId}`}
            onClick={(event) => {
              event.preventDefault();
              navigate(`/conversations/${row.conversationId}`);
            }}
          >
            Open the conversation
          </a>
        ) : null}
        {canCorrect && !open ? (
          <button type="button" onClick={() => setOpen(true)}>
            Write a correction
          </button>
        ) : null}
      </div>
      {open ? <CorrectionForm interactionId={row.interactionId} initialText={row.replyText ?? ''} /> : null}
    </li>
  );
}
