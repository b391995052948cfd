import { useState, type FormEvent } from 'react';
import { useMutation } from '../api/hooks';
import {
  START_FINE_TUNING_JOB,
  type FineTuningJob,
  type FineTuningSettings,
  type TrainingSet,
} from '../api/training-operations';
import { formatUsd } from '../lib/format';
import { costOf, describeStart, parseStatistics } from '../lib/training';
import { useCan } from '../session-context';
import { FineTuningJobCard } from './fine-tuning-job-card';
import { FineTuningSettingsForm } from './fine-tuning-settings-form';
import { Empty, ErrorNotice } from './states';

/** Fine-tuning jobs with status, events and timeline; start (provider, base model, set) and cancel, each confirmed. */
export function FineTuningPanel({
  jobs,
  settings,
  sets,
  datasets,
  onChanged,
}: {
  jobs: FineTuningJob[];
  settings: FineTuningSettings;
  sets: TrainingSet[];
  datasets: { name: string }[];
  onChanged: () => void;
}) {
  const canManage = useCan('users:manage');
  const [done, setDone] = useState<string | null>(null);
  const open = jobs.find((job) => ['submitting', 'training', 'validating'].includes(job.phase));
  return (
    <section className="panel" aria-labelledby="jobs-heading">
      <h2 id="jobs-heading">Fine-tuning jobs</h2>
      <p className="muted small">
        A job uploads a training set to OpenAI and fine-tunes a model; when it succeeds parley makes a draft model
        version with it and evaluates it on the gating dataset. Status is polled every 5 minutes.
      </p>
      {done ? (
        <p className="state state-ok" role="status">
          {done}
        </p>
      ) : null}
      {canManage ? (
        open ? (
          <p className="muted small">
            Job {open.suffix} is {open.phase}: cancel it or wait before starting another.
          </p>
        ) : (
          <StartJob settings={settings} sets={sets} onStarted={onChanged} onDone={setDone} />
        )
      ) : (
        <p className="muted small">Starting and cancelling jobs needs a key with the users:manage scope.</p>
      )}
      {jobs.length === 0 ? (
        <Empty title="No fine-tuning jobs yet.">
          {settings.schedule === 'monthly'
            ? `The monthly schedule starts one on the first of the month when at least ${settings.minNewExamples} corrections were approved since the last training set; or start one here.`
            : 'The schedule is off: start one here.'}
        </Empty>
      ) : (
        <ul className="cards">
          {jobs.map((job) => (
            <FineTuningJobCard
              key={job.id}
              job={job}
              sets={sets}
              canManage={canManage}
              onChanged={onChanged}
              onDone={setDone}
            />
          ))}
        </ul>
      )}
      <FineTuningSettingsForm settings={settings} datasets={datasets} canManage={canManage} />
    </section>
  );
}

function StartJob({
  settings,
  sets,
  onStarted,
  onDone,
}: {
  settings: FineTuningSettings;
  sets: TrainingSet[];
  onStarted: () => void;
  onDone: (text: string) => void;
}) {
  const [provider, setProvider] = useState('openai');
  const [baseModel, setBaseModel] = useState(settings.baseModel);
  // null: not chosen yet, the newest set (which may arrive after this form first rendered).
  const [chosenId, setSetId] = useState<string | null>(null);
  const setId = chosenId ?? sets[0]?.id ?? '';
  const [confirming, setConfirming] = useState(false);
  const start = useMutation(START_FINE_TUNING_JOB);
  const chosen = sets.find((set) => set.id === setId) ?? null;
  const statistics = parseStatistics((chosen ?? sets[0])?.statistics);
  const cost = costOf(statistics, baseModel);
  const models = [
    ...new Set([
      settings.baseModel,
      ...statistics.estimatedCost.filter((c) => c.format === 'openai').map((c) => c.model),
    ]),
  ];

  async function confirm(event: FormEvent) {
    event.preventDefault();
    const result = await start.run({ trainingSet: setId || null, baseModel: baseModel.trim() || null });
    setConfirming(false);
    if (result) {
      const job = result.startFineTuningJob;
      onDone(
        job.phase === 'submit_failed'
          ? `The job could not be submitted: ${job.error?.message ?? 'unknown error'}.`
          : `Job ${job.suffix} started (${job.providerJobId ?? 'submitting'}).`,
      );
      onStarted();
    }
  }

  return (
    <details className="new-draft">
      <summary>Start a fine-tuning job</summary>
      <form
        className="form"
        aria-label="Start a fine-tuning job"
        onSubmit={(event) => {
          event.preventDefault();
          setConfirming(true);
        }}
      >
        <label htmlFor="job-provider">Provider</label>
        <select id="job-provider" value={provider} onChange={(event) => setProvider(event.target.value)}>
          <option value="openai">OpenAI</option>
          <option value="gemini" disabled>
            Gemini (Vertex AI): download the Gemini JSONL and tune it in Vertex AI
          </option>
        </select>
        <label htmlFor="job-model">Base model</label>
        <input
          id="job-model"
          list="job-models"
          required
          value={baseModel}
          onChange={(event) => setBaseModel(event.target.value)}
        />
        <datalist id="job-models">
          {models.map((model) => (
            <option key={model} value={model} />
          ))}
        </datalist>
        <label htmlFor="job-set">Training set</label>
        <select id="job-set" value={setId} onChange={(event) => setSetId(event.target.value)}>
          {sets.map((set) => (
            <option key={set.id} value={set.id}>
              #{set.number}: {set.trainCount} training examples
            </option>
          ))}
          <option value="">A new export now</option>
        </select>
        <div className="row">
          <button type="submit" className="primary" disabled={!baseModel.trim() || start.pending}>
            Start…
          </button>
        </div>
      </form>
      {confirming ? (
        <form className="confirm" role="alertdialog" aria-label="Confirm the fine-tuning job" onSubmit={confirm}>
          <p>{describeStart({ set: chosen, baseModel, cost, formatUsd: (value) => formatUsd(value) })}</p>
          <div className="row">
            <button type="submit" className="primary" disabled={start.pending}>
              Start fine-tuning
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {start.error ? <ErrorNotice error={start.error} /> : null}
    </details>
  );
}
