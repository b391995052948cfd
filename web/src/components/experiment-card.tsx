import { useState, type FormEvent } from 'react';
import { useMutation } from '../api/hooks';
import { START_EXPERIMENT, STOP_EXPERIMENT, type Experiment } from '../api/experiment-operations';
import { formatCount, formatDateTime, formatDuration, formatRate, formatUsd } from '../lib/format';
import { useCan } from '../session-context';
import { IntervalPlot } from './interval-plot';
import { ErrorNotice } from './states';

/** One experiment: status, start / stop, SRM warning, arms side by side, and the intervals per metric. */
export function ExperimentCard({
  experiment,
  versionNumber,
  onChanged,
  rolloutStatus,
}: {
  experiment: Experiment;
  /** Set when a rollout drives this experiment: its stages change the coverage, so it is stopped from there. */
  rolloutStatus?: string;
  versionNumber: (id: string) => number | undefined;
  onChanged: () => void;
}) {
  const canManage = useCan('users:manage');
  const start = useMutation(START_EXPERIMENT);
  const stop = useMutation(STOP_EXPERIMENT);
  const [stopping, setStopping] = useState(false);
  const [reason, setReason] = useState('');
  const results = experiment.results;
  const comparable = results.comparisons.filter((row) => !row.error);

  async function onStop(event: FormEvent) {
    event.preventDefault();
    if (await stop.run({ reference: experiment.id, reason: reason.trim() })) {
      setStopping(false);
      onChanged();
    }
  }
  return (
    <li className="card" aria-label={`Experiment ${experiment.key}`}>
      <div className="card-head">
        <strong>{experiment.key}</strong>
        <span className={`badge badge-${experiment.status}`}>{experiment.status}</span>
        <span className="muted small">
          v{versionNumber(experiment.controlVersionId) ?? '?'} (control) vs v
          {versionNumber(experiment.candidateVersionId) ?? '?'} (candidate) · {formatRate(experiment.coverage)} of
          customers · split {experiment.weights.map((weight) => formatRate(weight)).join(' / ')}
          {experiment.startedAt ? ` · started ${formatDateTime(experiment.startedAt)}` : ''}
          {experiment.stoppedAt ? ` · stopped ${formatDateTime(experiment.stoppedAt)}` : ''}
        </span>
      </div>
      {experiment.stopReason ? <p className="muted">Stopped because: {experiment.stopReason}</p> : null}
      {results.srm ? (
        <div className="state state-error" role="alert">
          <strong>Sample-ratio mismatch</strong> (p = {results.srmPValue?.toExponential(1)}): the customers per arm do
          not match the split, so assignment is broken somewhere. Do not trust these results.
        </div>
      ) : null}
      {experiment.status !== 'draft' ? (
        <>
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th>Arm</th>
                  <th className="num">Customers</th>
                  <th className="num">Replies</th>
                  <th className="num">Thumbs-up rate (rated)</th>
                  <th className="num">Satisfaction</th>
                  <th className="num">Handoff rate</th>
                  <th className="num">Cost / conv.</th>
                  <th className="num">p95</th>
                </tr>
              </thead>
              <tbody>
                {results.arms.map((arm) => (
                  <tr key={arm.arm}>
                    <td>
                      {arm.arm} (v{versionNumber(arm.modelVersionId) ?? '?'})
                    </td>
                    <td className="num">{formatCount(arm.customers)}</td>
                    <td className="num">{formatCount(arm.interactions)}</td>
                    <td className="num">
                      {formatRate(arm.thumbsUpRate)} ({formatCount(arm.rated)})
                    </td>
                    <td className="num">{formatRate(arm.implicitSatisfaction)}</td>
                    <td className="num">{formatRate(arm.handoffRate)}</td>
                    <td className="num">{formatUsd(arm.costPerConversation)}</td>
                    <td className="num">{formatDuration(arm.latencyP95Ms)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {comparable.length ? (
            <IntervalPlot
              rows={comparable.map((row) => ({
                metric: row.metric,
                estimate: row.relativeChange,
                ci: row.ci,
                sequentialCi: row.sequentialCi,
              }))}
            />
          ) : (
            <p className="muted small">
              Not enough data to compare the arms yet
              {results.comparisons[0]?.error ? ` (${results.comparisons[0].error})` : ''}.
            </p>
          )}
          {results.guards.length ? (
            <ul className="small plain">
              {results.guards.map((guard) => (
                <li key={guard.metric}>
                  Guard on {guard.metric.replace(/_/g, ' ')}: <strong>{guard.verdict.replace(/_/g, ' ')}</strong> —{' '}
                  {guard.reason}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : (
        <p className="muted">Draft: no customer is assigned until it starts.</p>
      )}
      {canManage ? (
        <div className="row">
          {experiment.status === 'draft' ? (
            <button
              type="button"
              className="primary"
              disabled={start.pending}
              onClick={async () => (await start.run({ reference: experiment.id })) && onChanged()}
            >
              Start experiment
            </button>
          ) : null}
          {rolloutStatus ? (
            <span className="muted small">Driven by its rollout ({rolloutStatus.replace('_', ' ')}), below.</span>
          ) : null}
          {experiment.status === 'running' && !stopping && !rolloutStatus ? (
            <button type="button" className="danger" onClick={() => setStopping(true)}>
              Stop…
            </button>
          ) : null}
          {stopping ? (
            <form className="row" onSubmit={onStop}>
              <label className="grow">
                Why stop?{' '}
                <input required value={reason} onChange={(event) => setReason(event.target.value)} autoFocus />
              </label>
              <button type="submit" className="danger" disabled={stop.pending || !reason.trim()}>
                Stop experiment
              </button>
            </form>
          ) : null}
        </div>
      ) : null}
      {start.error ? <ErrorNotice error={start.error} /> : null}
      {stop.error ? <ErrorNotice error={stop.error} /> : null}
    </li>
  );
}
