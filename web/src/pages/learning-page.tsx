import { useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '../api/hooks';
import {
  ACTIVATE_MODEL_VERSION,
  CREATE_MODEL_VERSION,
  MODEL_VERSIONS,
  ROLLBACK_MODEL_VERSION,
  type DeploymentEvent,
  type ModelVersion,
  type VersionBusinessMetrics,
} from '../api/learning-operations';
import { EvaluationsPanel } from '../components/evaluations-panel';
import { Empty, ErrorNotice, QueryView } from '../components/states';
import { formatActor, formatCount, formatDateTime, formatRate } from '../lib/format';
import { navigate } from '../lib/router';
import { canActivate, describeActivation, describeRollback, rollbackTarget } from '../lib/learning';
import { useCan } from '../session-context';

const DAY = 86_400_000;

/** Model versions with live metrics, activate / roll back with a confirmation, deployment history, evaluations. */
export function LearningPage() {
  const range = useMemo(() => {
    const to = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
    return { from: new Date(to.getTime() - 30 * DAY).toISOString(), to: to.toISOString() };
  }, []);
  const state = useQuery(MODEL_VERSIONS, range);
  return (
    <>
      <div className="page-head">
        <h1>Learning</h1>
      </div>
      <QueryView state={state}>
        {(data) => (
          <>
            <VersionsPanel
              versions={data.modelVersions}
              history={data.deploymentHistory}
              live={data.versionBusinessMetrics}
              onChanged={state.reload}
            />
            <HistoryPanel history={data.deploymentHistory} />
          </>
        )}
      </QueryView>
      <EvaluationsPanel />
      <section className="panel">
        <h2>Training sets and fine-tuning jobs</h2>
        <p className="muted">
          Training sets with statistics and downloads, fine-tuning jobs and offline models are on the{' '}
          <button type="button" className="link" onClick={() => navigate('/training')}>
            Training
          </button>{' '}
          page.
        </p>
      </section>
    </>
  );
}

type Pending = { kind: 'activate'; version: ModelVersion } | { kind: 'rollback' } | null;

function VersionsPanel({
  versions,
  history,
  live,
  onChanged,
}: {
  versions: ModelVersion[];
  history: DeploymentEvent[];
  live: VersionBusinessMetrics[];
  onChanged: () => void;
}) {
  const canDeploy = useCan('users:manage');
  const canDraft = useCan('corrections:write');
  const [pending, setPending] = useState<Pending>(null);
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const activate = useMutation(ACTIVATE_MODEL_VERSION);
  const rollback = useMutation(ROLLBACK_MODEL_VERSION);
  const active = versions.find((version) => version.status === 'active') ?? null;
  const target = rollbackTarget(versions, history, active);
  const metricsOf = (id: string) => live.find((entry) => entry.modelVersionId === id);

  async function confirm(event: FormEvent) {
    event.preventDefault();
    if (!pending) return;
    if (pending.kind === 'activate') {
      const result = await activate.run({
        id: pending.version.id,
        reason: reason.trim() || null,
        force: pending.version.status === 'draft',
      });
      if (result) setDone(`Version ${result.activateModelVersion.number} is active.`);
    } else {
      const result = await rollback.run({ reason: reason.trim() || null });
      if (result) setDone(`Rolled back: version ${result.rollbackModelVersion.number} is active.`);
    }
    setPending(null);
    setReason('');
    onChanged();
  }

  return (
    <section className="panel" aria-labelledby="versions-heading">
      <div className="page-head">
        <h2 id="versions-heading">Model versions</h2>
        {canDeploy && active ? (
          <button type="button" className="danger" disabled={!target} onClick={() => setPending({ kind: 'rollback' })}>
            Roll back…
          </button>
        ) : null}
      </div>
      <p className="muted small">
        A version is the bot's configuration: models per routing tier, system prompt and retrieval settings. Live
        figures are the last 30 days of real traffic.
      </p>
      {done ? (
        <p className="state state-ok" role="status">
          {done}
        </p>
      ) : null}
      {pending ? (
        <form className="confirm" role="alertdialog" aria-label="Confirm" onSubmit={confirm}>
          <p>
            {pending.kind === 'activate'
              ? describeActivation(pending.version, active)
              : describeRollback(active!, target)}
          </p>
          <label>
            Reason (kept in the history)
            <input value={reason} onChange={(event) => setReason(event.target.value)} />
          </label>
          <div className="row">
            <button type="submit" className={pending.kind === 'rollback' ? 'danger' : 'primary'}>
              {pending.kind === 'activate' ? `Activate version ${pending.version.number}` : 'Roll back now'}
            </button>
            <button type="button" onClick={() => setPending(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {activate.error ? <ErrorNotice error={activate.error} /> : null}
      {rollback.error ? <ErrorNotice error={rollback.error} /> : null}
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>Version</th>
              <th>Status</th>
              <th>Notes</th>
              <th className="num">Replies</th>
              <th className="num">Thumbs-up rate</th>
              <th className="num">Handoff rate</th>
              <th>Created</th>
              <th>Activated</th>
              {canDeploy ? <th /> : null}
            </tr>
          </thead>
          <tbody>
            {versions.map((version) => {
              const metrics = metricsOf(version.id);
              return (
                <tr key={version.id} aria-current={version.status === 'active' ? 'true' : undefined}>
                  <td>
                    v{version.number}
                    {version.parentVersionNumber ? (
                      <span className="muted small"> from v{version.parentVersionNumber}</span>
                    ) : null}
                  </td>
                  <td>
                    <span className={`badge badge-${version.status}`}>{version.status.replace('_', ' ')}</span>
                  </td>
                  <td>{version.notes || <span className="muted">—</span>}</td>
                  <td className="num">{formatCount(metrics?.interactions ?? 0)}</td>
                  <td className="num">{formatRate(metrics?.thumbsUpRate)}</td>
                  <td className="num">{formatRate(metrics?.handoffRate)}</td>
                  <td>{formatDateTime(version.createdAt)}</td>
                  <td>{formatDateTime(version.activatedAt)}</td>
                  {canDeploy ? (
                    <td>
                      {canActivate(version) ? (
                        <button
                          type="button"
                          aria-label={`Activate version ${version.number}`}
                          onClick={() => {
                            setDone(null);
                            setPending({ kind: 'activate', version });
                          }}
                        >
                          Activate…
                        </button>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {canDraft ? <NewDraft onCreated={onChanged} /> : null}
    </section>
  );
}

function NewDraft({ onCreated }: { onCreated: () => void }) {
  const [notes, setNotes] = useState('');
  const [retrievalK, setRetrievalK] = useState('');
  const [systemPrompt, setSystemPrompt] = useState('');
  const create = useMutation(CREATE_MODEL_VERSION);
  const [done, setDone] = useState<string | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await create.run({
      input: {
        notes: notes.trim(),
        ...(retrievalK ? { retrievalK: Number(retrievalK) } : {}),
        ...(systemPrompt.trim() ? { systemPrompt: systemPrompt.trim() } : {}),
      },
    });
    if (result) {
      setDone(`Draft version ${result.createModelVersion.number} created: evaluate it, then activate or experiment.`);
      setNotes('');
      setRetrievalK('');
      setSystemPrompt('');
      onCreated();
    }
  }
  return (
    <details className="new-draft">
      <summary>New draft version</summary>
      <form className="form" onSubmit={submit}>
        <p className="muted small">Starts from the active version with these changes.</p>
        <label htmlFor="draft-notes">Notes</label>
        <input id="draft-notes" required value={notes} onChange={(event) => setNotes(event.target.value)} />
        <label htmlFor="draft-k">Articles retrieved per question (optional)</label>
        <input
          id="draft-k"
          type="number"
          min={1}
          max={20}
          value={retrievalK}
          onChange={(event) => setRetrievalK(event.target.value)}
        />
        <label htmlFor="draft-prompt">System prompt (optional)</label>
        <textarea
          id="draft-prompt"
          rows={2}
          value={systemPrompt}
          onChange={(event) => setSystemPrompt(event.target.value)}
        />
        <div className="row">
          <button type="submit" className="primary" disabled={create.pending || !notes.trim()}>
            Create draft
          </button>
        </div>
        {done ? (
          <p className="state state-ok" role="status">
            {done}
          </p>
        ) : null}
        {create.error ? <ErrorNotice error={create.error} /> : null}
      </form>
    </details>
  );
}

function HistoryPanel({ history }: { history: DeploymentEvent[] }) {
  return (
    <section className="panel" aria-labelledby="history-heading">
      <h2 id="history-heading">Deployment history</h2>
      {history.length === 0 ? (
        <Empty title="Nothing deployed yet." />
      ) : (
        <ol className="timeline">
          {history.slice(0, 30).map((event) => (
            <li key={event.id} className={`timeline-${event.action}`}>
              <strong>
                v{event.modelVersionNumber} {event.action.replace('_', ' ')}
              </strong>{' '}
              <span className="muted small">
                {event.fromStatus ? `${event.fromStatus} → ` : ''}
                {event.toStatus} · {formatDateTime(event.createdAt)} · {formatActor(event.actor)}
              </span>
              {event.reason ? <div className="small">“{event.reason}”</div> : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
