import { useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '../api/hooks';
import {
  APPROVE_CORRECTION,
  CORRECTIONS,
  REJECT_CORRECTION,
  type Correction,
  type CorrectionStatus,
} from '../api/operations';
import { DiffView } from '../components/diff-view';
import { Empty, ErrorNotice, QueryView } from '../components/states';
import { formatActor, formatCount, formatDateTime } from '../lib/format';
import { useCan } from '../session-context';
import { Pager } from '../components/pager';

const STATUSES: { id: CorrectionStatus; label: string }[] = [
  { id: 'PENDING', label: 'Pending' },
  { id: 'APPROVED', label: 'Approved' },
  { id: 'REJECTED', label: 'Rejected' },
];

/** Pending corrections with the diff against the bot's reply; approvers approve (with a quality score) or reject. */
export function CorrectionsPage() {
  const [status, setStatus] = useState<CorrectionStatus>('PENDING');
  const [pages, setPages] = useState<(string | null)[]>([null]);
  const variables = useMemo(
    () => ({ first: 20, after: pages[pages.length - 1] ?? null, filter: { status } }),
    [status, pages],
  );
  const state = useQuery(CORRECTIONS, variables);
  return (
    <>
      <div className="page-head">
        <h1>Corrections</h1>
      </div>
      <div className="tabs" role="tablist" aria-label="Correction status">
        {STATUSES.map((entry) => (
          <button
            key={entry.id}
            type="button"
            role="tab"
            aria-selected={status === entry.id}
            className={status === entry.id ? 'tab tab-active' : 'tab'}
            onClick={() => {
              setStatus(entry.id);
              setPages([null]);
            }}
          >
            {entry.label}
          </button>
        ))}
      </div>
      <QueryView state={state}>
        {(data) =>
          data.corrections.nodes.length === 0 ? (
            <Empty
              title={status === 'PENDING' ? 'Nothing waiting for approval.' : `No ${status.toLowerCase()} corrections.`}
            >
              Agents correct bot replies from Feedback review, a transcript, or the Correct button in Slack; approved
              corrections become knowledge-base answers at once.
            </Empty>
          ) : (
            <>
              <p className="muted small">{formatCount(data.corrections.totalCount)} corrections</p>
              <ul className="cards">
                {data.corrections.nodes.map((correction) => (
                  <CorrectionCard key={correction.id} correction={correction} onDecided={state.reload} />
                ))}
              </ul>
              <Pager pages={pages} setPages={setPages} pageInfo={data.corrections.pageInfo} />
            </>
          )
        }
      </QueryView>
    </>
  );
}

function CorrectionCard({ correction, onDecided }: { correction: Correction; onDecided: () => void }) {
  const canDecide = useCan('users:manage');
  const [score, setScore] = useState(String(correction.qualityScore ?? 4));
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const approve = useMutation(APPROVE_CORRECTION);
  const reject = useMutation(REJECT_CORRECTION);
  const [done, setDone] = useState<string | null>(null);
  const scoreId = `score-${correction.id}`;

  async function onApprove() {
    const result = await approve.run({ id: correction.id, qualityScore: Number(score) });
    if (result) {
      setDone('Approved: the bot answers with it from now on.');
      setTimeout(onDecided, 1200);
    }
  }
  async function onReject(event: FormEvent) {
    event.preventDefault();
    const result = await reject.run({ id: correction.id, reason: reason.trim() });
    if (result) {
      setDone('Rejected.');
      setTimeout(onDecided, 1200);
    }
  }
  return (
    <li className="card" aria-label={`Correction of “${(correction.customerMessage ?? '').slice(0, 60)}”`}>
      <div className="card-head">
        <span className="badge">{correction.category.toLowerCase().replace('_', ' ')}</span>
        <span className="muted small">
          by {correction.authorName ?? formatActor(correction.authorId)} · {formatDateTime(correction.createdAt)}
          {correction.decidedAt
            ? ` · ${correction.status.toLowerCase()} ${formatDateTime(correction.decidedAt)} by ${formatActor(correction.decidedBy)}`
            : ''}
        </span>
      </div>
      {correction.customerMessage ? (
        <p>
          <span className="muted small">Customer asked</span>
          <br />“{correction.customerMessage}”
        </p>
      ) : null}
      <div className="grid-2 tight">
        <div>
          <span className="muted small">Bot replied</span>
          <blockquote className="reply-text">{correction.originalReply}</blockquote>
        </div>
        <div>
          <span className="muted small">Correction</span>
          <blockquote className="reply-text corrected">{correction.correctedReply}</blockquote>
        </div>
      </div>
      <details>
        <summary>Changes</summary>
        <DiffView before={correction.originalReply} after={correction.correctedReply} />
      </details>
      {correction.reason ? <p className="muted">Why: {correction.reason}</p> : null}
      {correction.rejectionReason ? <p className="muted">Rejected because: {correction.rejectionReason}</p> : null}
      {done ? (
        <p className="state state-ok" role="status">
          {done}
        </p>
      ) : correction.status === 'PENDING' && canDecide ? (
        <div className="decide">
          <label htmlFor={scoreId}>Quality (0–5)</label>
          <select id={scoreId} value={score} onChange={(event) => setScore(event.target.value)}>
            {[0, 1, 2, 3, 4, 5].map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
          <button type="button" className="primary" disabled={approve.pending} onClick={onApprove}>
            {approve.pending ? 'Approving…' : 'Approve'}
          </button>
          {rejecting ? (
            <form className="row" onSubmit={onReject}>
              <label className="grow">
                Reason <input required value={reason} onChange={(event) => setReason(event.target.value)} autoFocus />
              </label>
              <button type="submit" className="danger" disabled={reject.pending || !reason.trim()}>
                Reject
              </button>
            </form>
          ) : (
            <button type="button" onClick={() => setRejecting(true)}>
              Reject…
            </button>
          )}
        </div>
      ) : correction.status === 'PENDING' ? (
        <p className="muted small">Approving needs a key with the users:manage scope.</p>
      ) : null}
      {approve.error ? <ErrorNotice error={approve.error} /> : null}
      {reject.error ? <ErrorNotice error={reject.error} /> : null}
    </li>
  );
}
