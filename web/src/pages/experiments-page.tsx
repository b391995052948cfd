import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '../api/hooks';
import { CREATE_EXPERIMENT, EXPERIMENTS, GUARDED_METRICS } from '../api/experiment-operations';
import { ExperimentCard } from '../components/experiment-card';
import { RolloutsPanel } from '../components/rollouts-panel';
import { Empty, ErrorNotice, QueryView } from '../components/states';
import { candidateVersions, type VersionOption } from '../lib/learning';
import { useCan } from '../session-context';

/** Experiments (control vs candidate) with per-arm results and intervals, and staged rollouts. */
export function ExperimentsPage() {
  const state = useQuery(EXPERIMENTS);
  const canManage = useCan('users:manage');
  return (
    <>
      <div className="page-head">
        <h1>Experiments</h1>
      </div>
      <QueryView state={state}>
        {(data) => {
          const versionNumber = (id: string) => data.modelVersions.find((version) => version.id === id)?.number;
          return (
            <>
              {canManage ? <CreateExperiment versions={data.modelVersions} onCreated={state.reload} /> : null}
              {data.experiments.length === 0 ? (
                <Empty title="No experiments yet.">
                  An experiment serves a candidate model version to a share of customers and compares it with the active
                  version on thumbs-up rate, satisfaction, handoffs and cost. Evaluate a version on the Learning page
                  first.
                </Empty>
              ) : (
                <ul className="cards">
                  {data.experiments.map((experiment) => (
                    <ExperimentCard
                      key={experiment.id}
                      experiment={experiment}
                      versionNumber={versionNumber}
                      onChanged={state.reload}
                      rolloutStatus={data.rollouts.find((rollout) => rollout.experimentKey === experiment.key)?.status}
                    />
                  ))}
                </ul>
              )}
              <RolloutsPanel
                rollouts={data.rollouts}
                versions={data.modelVersions}
                versionNumber={versionNumber}
                onChanged={state.reload}
              />
            </>
          );
        }}
      </QueryView>
    </>
  );
}

function CreateExperiment({ versions, onCreated }: { versions: VersionOption[]; onCreated: () => void }) {
  const candidates = candidateVersions(versions);
  const active = versions.find((version) => version.status === 'active');
  const [key, setKey] = useState('');
  const [candidate, setCandidate] = useState('');
  const [coverage, setCoverage] = useState('10');
  const [guarded, setGuarded] = useState<string[]>([...GUARDED_METRICS]);
  const create = useMutation(CREATE_EXPERIMENT);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await create.run({
      input: {
        key: key.trim(),
        candidateVersionId: candidate || candidates[0]!.id,
        coverage: Number(coverage) / 100,
        guardedMetrics: guarded,
      },
    });
    if (result) {
      setKey('');
      onCreated();
    }
  }
  return (
    <details className="panel" open={candidates.length > 0}>
      <summary>
        <h2 className="inline">New experiment</h2>
      </summary>
      {candidates.length === 0 ? (
        <p className="muted">
          No candidate version: evaluate a draft (or use one that was active before) to compare it with the active
          version.
        </p>
      ) : (
        <form className="form" onSubmit={submit} aria-label="New experiment">
          <div className="grid-2 tight">
            <div>
              <label htmlFor="exp-key">Key</label>
              <input
                id="exp-key"
                required
                pattern="[A-Za-z0-9][A-Za-z0-9._\-]*"
                value={key}
                onChange={(event) => setKey(event.target.value)}
                placeholder="shorter-answers"
              />
            </div>
            <div>
              <label htmlFor="exp-candidate">Candidate</label>
              <select id="exp-candidate" value={candidate} onChange={(event) => setCandidate(event.target.value)}>
                {candidates.map((version) => (
                  <option key={version.id} value={version.id}>
                    v{version.number} ({version.status.replace('_', ' ')}){version.notes ? ` — ${version.notes}` : ''}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label htmlFor="exp-control">Control</label>
              <input id="exp-control" disabled value={active ? `v${active.number} (active)` : 'none active'} />
            </div>
            <div>
              <label htmlFor="exp-coverage">Coverage (% of customers in the experiment)</label>
              <input
                id="exp-coverage"
                type="number"
                min={1}
                max={100}
                value={coverage}
                onChange={(event) => setCoverage(event.target.value)}
              />
            </div>
          </div>
          <fieldset>
            <legend>Guarded metrics (a significant drop of more than 5 % stops it)</legend>
            {GUARDED_METRICS.map((metric) => (
              <label key={metric} className="check">
                <input
                  type="checkbox"
                  checked={guarded.includes(metric)}
                  onChange={(event) =>
                    setGuarded(
                      event.target.checked ? [...guarded, metric] : guarded.filter((entry) => entry !== metric),
                    )
                  }
                />{' '}
                {metric.replace(/_/g, ' ')}
              </label>
            ))}
          </fieldset>
          <div className="row">
            <button type="submit" className="primary" disabled={create.pending || !key.trim()}>
              Create experiment
            </button>
            <span className="muted small">It starts as a draft; start it when ready.</span>
          </div>
          {create.error ? <ErrorNotice error={create.error} /> : null}
        </form>
      )}
    </details>
  );
}
