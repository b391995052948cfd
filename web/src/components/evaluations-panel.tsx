import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '../api/hooks';
import {
  DATASET_VERSIONS,
  EVALUATION_REPORT,
  EVALUATIONS,
  START_EVALUATION,
  type EvaluationRun,
} from '../api/learning-operations';
import { formatActor, formatCount, formatDateTime, formatDuration, formatRate, formatUsd } from '../lib/format';
import { useCan } from '../session-context';
import { TimeChart } from './chart';
import { Empty, ErrorNotice, QueryView } from './states';

const rateTick = (value: number) => `${Math.round(value * 100)}%`;

/** Evaluation datasets (with versions), runs with their metric tables, the learning curve, and starting a run. */
export function EvaluationsPanel() {
  const state = useQuery(EVALUATIONS);
  const [selected, setSelected] = useState<string | null>(null);
  // Follows running evaluations: reloads every 2 s until none is running.
  const running = state.data?.evaluationRuns.some((run) => run.status === 'running') ?? false;
  const { reload } = state;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(reload, 2000);
    return () => clearInterval(timer);
  }, [running, reload]);
  return (
    <section className="panel" aria-labelledby="evaluations-heading">
      <h2 id="evaluations-heading">Evaluations</h2>
      <QueryView state={state}>
        {(data) => {
          const finished = data.evaluationRuns.filter((run) => run.metrics).reverse();
          return (
            <>
              {data.evaluationDatasets.length === 0 ? (
                <Empty title="No evaluation datasets yet.">
                  Create one with <code>npm run datasets</code> or the createEvaluationDataset mutation, import approved
                  corrections into it, then evaluate a version against it.
                </Empty>
              ) : (
                <div className="grid-2">
                  <div>
                    <h3>Datasets</h3>
                    <ul className="plain">
                      {data.evaluationDatasets.map((dataset) => (
                        <DatasetRow
                          key={dataset.id}
                          name={dataset.name}
                          description={dataset.description}
                          latest={dataset.latestVersionNumber}
                        />
                      ))}
                    </ul>
                  </div>
                  <StartEvaluation
                    datasets={data.evaluationDatasets.map((dataset) => dataset.name)}
                    onStarted={state.reload}
                  />
                </div>
              )}
              {finished.length > 1 ? (
                <>
                  <h3>Learning curve</h3>
                  <TimeChart
                    label="ROUGE-L, BLEU and exact match of each finished evaluation run, oldest first"
                    labels={finished.map((run) => `v${run.modelVersionNumber} · ${run.datasetVersion}`)}
                    formatValue={rateTick}
                    series={[
                      { label: 'ROUGE-L', values: finished.map((run) => run.metrics!.rougeL) },
                      // BLEU is on a 0–100 scale; drawn as a fraction so one axis holds all three.
                      { label: 'BLEU (÷ 100)', values: finished.map((run) => run.metrics!.bleu / 100) },
                      { label: 'Exact match', values: finished.map((run) => run.metrics!.exactMatch) },
                    ]}
                  />
                </>
              ) : null}
              {data.evaluationRuns.length ? (
                <RunsTable runs={data.evaluationRuns} selected={selected} onSelect={setSelected} />
              ) : (
                <p className="muted">No evaluation runs yet.</p>
              )}
              {selected ? (
                <RunReport
                  runId={selected}
                  label={(() => {
                    const run = data.evaluationRuns.find((entry) => entry.id === selected);
                    return run ? `v${run.modelVersionNumber} on ${run.datasetVersion}` : '';
                  })()}
                />
              ) : null}
            </>
          );
        }}
      </QueryView>
    </section>
  );
}

function DatasetRow({ name, description, latest }: { name: string; description: string; latest: number }) {
  const [open, setOpen] = useState(false);
  const versions = useQuery(DATASET_VERSIONS, { dataset: name }, { skip: !open });
  return (
    <li>
      <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
        {name}@{latest}
      </button>{' '}
      <span className="muted small">{description}</span>
      {open ? (
        <QueryView state={versions}>
          {(data) => (
            <ul className="small">
              {data.datasetVersions.map((version) => (
                <li key={version.id}>
                  v{version.number}: {formatCount(version.caseCount)} cases — {version.change}{' '}
                  <span className="muted">
                    ({formatActor(version.createdBy)}, {formatDateTime(version.createdAt)})
                  </span>
                </li>
              ))}
            </ul>
          )}
        </QueryView>
      ) : null}
    </li>
  );
}

function StartEvaluation({ datasets, onStarted }: { datasets: string[]; onStarted: () => void }) {
  const canRun = useCan('corrections:write');
  const [dataset, setDataset] = useState(datasets[0] ?? '');
  const [version, setVersion] = useState('');
  const start = useMutation(START_EVALUATION);
  if (!canRun) return <p className="muted small">Starting evaluations needs the corrections:write scope.</p>;
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (await start.run({ dataset, modelVersion: version.trim() })) onStarted();
  }
  return (
    <form className="form" onSubmit={submit} aria-label="Start an evaluation">
      <h3>Evaluate a version</h3>
      <label htmlFor="eval-dataset">Dataset</label>
      <select id="eval-dataset" value={dataset} onChange={(event) => setDataset(event.target.value)}>
        {datasets.map((name) => (
          <option key={name}>{name}</option>
        ))}
      </select>
      <label htmlFor="eval-version">Model version number</label>
      <input id="eval-version" required value={version} onChange={(event) => setVersion(event.target.value)} />
      <div className="row">
        <button type="submit" className="primary" disabled={start.pending || !version.trim()}>
          Start evaluation
        </button>
      </div>
      <p className="muted small">It runs in the background through the gateway; the table follows its progress.</p>
      {start.error ? <ErrorNotice error={start.error} /> : null}
    </form>
  );
}

function RunsTable({
  runs,
  selected,
  onSelect,
}: {
  runs: EvaluationRun[];
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  return (
    <div className="table-scroll">
      <table>
        <caption className="muted small">Evaluation runs, newest first (select one for its comparison)</caption>
        <thead>
          <tr>
            <th>Run</th>
            <th>Status</th>
            <th className="num">Exact</th>
            <th className="num">BLEU</th>
            <th className="num">ROUGE-L</th>
            <th className="num">Handoff agr.</th>
            <th className="num">p95</th>
            <th className="num">Cost/case</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} aria-selected={run.id === selected}>
              <td>
                <button type="button" className="link" onClick={() => onSelect(run.id)}>
                  v{run.modelVersionNumber} on {run.datasetVersion}
                </button>
                <div className="muted small">{formatDateTime(run.createdAt)}</div>
              </td>
              <td>
                {run.status}
                {run.verdict ? ` · ${run.verdict}` : ''}
                {run.status === 'running' ? ` (${run.completedCases}/${run.caseCount})` : ''}
                {run.error ? <div className="muted small">{run.error}</div> : null}
              </td>
              <td className="num">{formatRate(run.metrics?.exactMatch)}</td>
              <td className="num">{run.metrics ? run.metrics.bleu.toFixed(1) : '—'}</td>
              <td className="num">{formatRate(run.metrics?.rougeL)}</td>
              <td className="num">{formatRate(run.metrics?.handoffAgreement)}</td>
              <td className="num">{formatDuration(run.metrics?.latencyP95Ms)}</td>
              <td className="num">{formatUsd(run.metrics?.costPerCaseUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RunReport({ runId, label }: { runId: string; label: string }) {
  const variables = useMemo(() => ({ runId }), [runId]);
  const state = useQuery(EVALUATION_REPORT, variables);
  return (
    <QueryView state={state}>
      {(data) =>
        data.evaluationReport.comparisons.length === 0 ? (
          <p className="muted">No baseline run to compare this run with.</p>
        ) : (
          <div className="table-scroll">
            <table>
              <caption className="muted small">
                {label}: against the baseline run (the active version on the same dataset)
              </caption>
              <thead>
                <tr>
                  <th>Metric</th>
                  <th className="num">Baseline</th>
                  <th className="num">Candidate</th>
                  <th className="num">Change</th>
                  <th>Limit</th>
                  <th>OK</th>
                </tr>
              </thead>
              <tbody>
                {data.evaluationReport.comparisons.map((row) => (
                  <tr key={row.metric}>
                    <td>{row.metric}</td>
                    <td className="num">{row.baseline?.toFixed(3) ?? '—'}</td>
                    <td className="num">{row.candidate?.toFixed(3) ?? '—'}</td>
                    <td className="num">{row.change === null ? '—' : row.change.toFixed(3)}</td>
                    <td>{row.limit}</td>
                    <td>{row.ok ? '✓' : '✗'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      }
    </QueryView>
  );
}
