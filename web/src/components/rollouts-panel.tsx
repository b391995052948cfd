import { useState, type FormEvent } from 'react';
import { useMutation } from '../api/hooks';
import {
  ABORT_ROLLOUT,
  ADVANCE_ROLLOUT,
  CREATE_ROLLOUT,
  PAUSE_ROLLOUT,
  RESUME_ROLLOUT,
  type Rollout,
} from '../api/experiment-operations';
import { formatDateTime } from '../lib/format';
import { candidateVersions, stageLabels, type VersionOption } from '../lib/learning';
import { useCan } from '../session-context';
import { ErrorNotice } from './states';

const OPEN = ['running', 'paused', 'watching'];

/** Staged rollouts (10 → 50 → 100 % by default): progress, pause / resume / advance / abort, and starting one. */
export function RolloutsPanel({
  rollouts,
  versions,
  versionNumber,
  onChanged,
}: {
  rollouts: Rollout[];
  versions: VersionOption[];
  versionNumber: (id: string) => number | undefined;
  onChanged: () => void;
}) {
  const canManage = useCan('users:manage');
  const open = rollouts.some((rollout) => OPEN.includes(rollout.status));
  return (
    <section className="panel" aria-labelledby="rollouts-heading">
      <h2 id="rollouts-heading">Rollouts</h2>
      <p className="muted small">
        A rollout walks a candidate through coverage stages; the rollout job advances it when each stage has run long
        enough with enough customers, and rolls it back automatically when a guarded metric gets worse.
      </p>
      {canManage && !open ? <StartRollout versions={versions} onStarted={onChanged} /> : null}
      {rollouts.length === 0 ? <p className="muted">No rollouts yet.</p> : null}
      <ul className="cards">
        {rollouts.map((rollout) => (
          <RolloutCard
            key={rollout.id}
            rollout={rollout}
            versionNumber={versionNumber}
            canManage={canManage}
            onChanged={onChanged}
          />
        ))}
      </ul>
    </section>
  );
}

function StartRollout({ versions, onStarted }: { versions: VersionOption[]; onStarted: () => void }) {
  const candidates = candidateVersions(versions);
  const [candidate, setCandidate] = useState('');
  const [stages, setStages] = useState('10, 50, 100');
  const create = useMutation(CREATE_ROLLOUT);
  if (!candidates.length) return null;
  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = stages
      .split(',')
      .map((entry) => Number(entry.trim()) / 100)
      .filter((value) => Number.isFinite(value) && value > 0);
    if (await create.run({ input: { candidateVersionId: candidate || candidates[0]!.id, stages: parsed } }))
      onStarted();
  }
  return (
    <form className="row form" onSubmit={submit} aria-label="Start a rollout">
      <label>
        Candidate{' '}
        <select value={candidate} onChange={(event) => setCandidate(event.target.value)}>
          {candidates.map((version) => (
            <option key={version.id} value={version.id}>
              v{version.number}
            </option>
          ))}
        </select>
      </label>
      <label>
        Stages (%) <input value={stages} onChange={(event) => setStages(event.target.value)} />
      </label>
      <button type="submit" className="primary" disabled={create.pending}>
        Start rollout
      </button>
      {create.error ? <ErrorNotice error={create.error} /> : null}
    </form>
  );
}

function RolloutCard({
  rollout,
  versionNumber,
  canManage,
  onChanged,
}: {
  rollout: Rollout;
  versionNumber: (id: string) => number | undefined;
  canManage: boolean;
  onChanged: () => void;
}) {
  const [reason, setReason] = useState('');
  const pause = useMutation(PAUSE_ROLLOUT);
  const resume = useMutation(RESUME_ROLLOUT);
  const advance = useMutation(ADVANCE_ROLLOUT);
  const abort = useMutation(ABORT_ROLLOUT);
  const error = pause.error ?? resume.error ?? advance.error ?? abort.error;
  const why = reason.trim() || 'from the console';
  const act = async (run: () => Promise<unknown>) => (await run()) && onChanged();
  return (
    <li className="card" aria-label={`Rollout of version ${versionNumber(rollout.candidateVersionId) ?? '?'}`}>
      <div className="card-head">
        <strong>
          v{versionNumber(rollout.candidateVersionId) ?? '?'} replacing v
          {versionNumber(rollout.previousVersionId) ?? '?'}
        </strong>
        <span className={`badge badge-${rollout.status}`}>{rollout.status.replace('_', ' ')}</span>
        <span className="muted small">
          experiment {rollout.experimentKey} · started {formatDateTime(rollout.createdAt)}
          {rollout.watchUntil ? ` · watched until ${formatDateTime(rollout.watchUntil)}` : ''}
        </span>
      </div>
      <ol className="stages" aria-label="Stages">
        {stageLabels(rollout.stages, rollout.status === 'completed' ? rollout.stages.length : rollout.stage).map(
          (stage, index) => (
            <li
              key={index}
              className={`stage stage-${stage.state}`}
              aria-current={stage.state === 'now' ? 'step' : undefined}
            >
              {stage.label}
            </li>
          ),
        )}
      </ol>
      <p className="muted small">
        Each stage runs at least {rollout.minStageHours} h with {rollout.minSamplePerArm} customers per arm; this one
        began {formatDateTime(rollout.stageStartedAt)}.
      </p>
      {rollout.endReason ? <p className="muted">Ended: {rollout.endReason}</p> : null}
      {canManage && OPEN.includes(rollout.status) ? (
        <div className="row">
          <label className="grow">
            Reason <input value={reason} onChange={(event) => setReason(event.target.value)} />
          </label>
          {rollout.status === 'paused' ? (
            <button type="button" onClick={() => act(() => resume.run({ id: rollout.id, reason: why }))}>
              Resume
            </button>
          ) : rollout.status === 'running' ? (
            <button type="button" onClick={() => act(() => pause.run({ id: rollout.id, reason: why }))}>
              Pause
            </button>
          ) : null}
          {rollout.status !== 'watching' ? (
            <button type="button" onClick={() => act(() => advance.run({ id: rollout.id, reason: why }))}>
              Advance stage
            </button>
          ) : null}
          <button
            type="button"
            className="danger"
            onClick={() => act(() => abort.run({ id: rollout.id, reason: why }))}
          >
            Abort and roll back
          </button>
        </div>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
    </li>
  );
}
