import { useState, type FormEvent } from 'react';
import { useMutation } from '../api/hooks';
import { CANCEL_FINE_TUNING_JOB, type FineTuningJob, type TrainingSet } from '../api/training-operations';
import { formatActor, formatCount, formatDateTime } from '../lib/format';
import { canCancel, describeCancel, jobTimeline, PHASE_LABELS, phaseBadge } from '../lib/training';
import { ErrorNotice } from './states';

/** One fine-tuning job: phase and provider status, figures, errors, the timeline, and cancel (confirmed). */
export function FineTuningJobCard({
  job,
  sets,
  canManage,
  onChanged,
  onDone,
}: {
  job: FineTuningJob;
  sets: TrainingSet[];
  canManage: boolean;
  onChanged: () => void;
  onDone: (text: string) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const cancel = useMutation(CANCEL_FINE_TUNING_JOB);
  const set = sets.find((entry) => entry.id === job.trainingSetId);

  async function confirm(event: FormEvent) {
    event.preventDefault();
    const result = await cancel.run({ id: job.id, reason: reason.trim() || null });
    setConfirming(false);
    if (result) {
      onDone(`Job ${result.cancelFineTuningJob.suffix} cancelled.`);
      onChanged();
    }
  }

  return (
    <li className="card" aria-label={`Fine-tuning job ${job.suffix}`}>
      <div className="card-head">
        <strong>{job.suffix}</strong>
        <span className={phaseBadge(job.phase)}>{PHASE_LABELS[job.phase] ?? job.phase}</span>
        <span className="badge">OpenAI: {job.status ?? 'not submitted'}</span>
        <span className="muted small">
          {job.baseModel} · set {set ? `#${set.number}` : job.trainingSetId.slice(0, 8)} · {job.trigger} ·{' '}
          {formatActor(job.startedBy)}
        </span>
      </div>
      <div className="reply-details">
        <dl>
          <div>
            <dt>Provider job</dt>
            <dd>{job.providerJobId ?? '—'}</dd>
          </div>
          <div>
            <dt>Trained tokens</dt>
            <dd>{formatCount(job.trainedTokens)}</dd>
          </div>
          <div>
            <dt>Fine-tuned model</dt>
            <dd>{job.fineTunedModel ?? '—'}</dd>
          </div>
          <div>
            <dt>Draft version</dt>
            <dd>{job.modelVersion ? `v${job.modelVersion.number} (${job.modelVersion.status})` : '—'}</dd>
          </div>
          <div>
            <dt>Last polled</dt>
            <dd>
              {formatDateTime(job.lastPolledAt)}
              {job.lastPollError ? ` (failed: ${job.lastPollError})` : ''}
            </dd>
          </div>
        </dl>
      </div>
      {job.error ? (
        <p className="state state-error" role="alert">
          {job.error.code}: {job.error.message}
        </p>
      ) : null}
      {job.validationReasons.length ? (
        <ul className="small" aria-label="Validation">
          {job.validationReasons.map((entry) => (
            <li key={entry}>{entry}</li>
          ))}
        </ul>
      ) : null}
      <ol className="timeline" aria-label={`Timeline of ${job.suffix}`}>
        {jobTimeline(job).map((entry, index) => (
          <li key={`${entry.at}-${index}`} className={`timeline-${entry.level}`}>
            <span className="small">{entry.label}</span> <span className="muted small">{formatDateTime(entry.at)}</span>
          </li>
        ))}
      </ol>
      {canManage && canCancel(job) ? (
        <div className="row">
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Cancel job…
          </button>
        </div>
      ) : null}
      {confirming ? (
        <form className="confirm" role="alertdialog" aria-label="Confirm the cancellation" onSubmit={confirm}>
          <p>{describeCancel(job)}</p>
          <label>
            Reason (kept in the audit log)
            <input value={reason} onChange={(event) => setReason(event.target.value)} />
          </label>
          <div className="row">
            <button type="submit" className="danger" disabled={cancel.pending}>
              Cancel the job
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep it running
            </button>
          </div>
        </form>
      ) : null}
      {cancel.error ? <ErrorNotice error={cancel.error} /> : null}
    </li>
  );
}
