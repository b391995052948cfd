import { useState, type FormEvent } from 'react';
import { useMutation } from '../api/hooks';
import { TRAIN_OFFLINE_MODEL, type OfflineModel, type TrainingSet } from '../api/training-operations';
import { formatCount, formatDateTime, formatDuration, formatRate } from '../lib/format';
import { offlineValidation } from '../lib/training';
import { useCan } from '../session-context';
import { Empty, ErrorNotice } from './states';

/** Offline models (no key, no network) with their validation figures, and "train offline model". */
export function OfflineModelsPanel({
  models,
  sets,
  datasets,
  onChanged,
}: {
  models: OfflineModel[];
  sets: TrainingSet[];
  datasets: { name: string; latestVersionNumber: number }[];
  onChanged: () => void;
}) {
  const canTrain = useCan('corrections:write');
  return (
    <section className="panel" aria-labelledby="offline-heading">
      <h2 id="offline-heading">Offline models</h2>
      <p className="muted small">
        The offline trainer learns topics and answers from a training set; the knowledge-base provider answers with it,
        with no key and no network. Training makes a draft model version naming the model and evaluates it against the
        active version.
      </p>
      {canTrain ? (
        <TrainOffline sets={sets} datasets={datasets} onTrained={onChanged} />
      ) : (
        <p className="muted small">Training needs a key with the corrections:write scope.</p>
      )}
      {models.length === 0 ? (
        <Empty title="No offline model trained yet." />
      ) : (
        <div className="table-scroll">
          <table aria-label="Offline models">
            <thead>
              <tr>
                <th>Model</th>
                <th>Algorithm</th>
                <th className="num">Examples</th>
                <th className="num">Validation cases</th>
                <th className="num">Topic accuracy</th>
                <th className="num">Handoff rate</th>
                <th className="num">ROUGE-L</th>
                <th className="num">Training time</th>
                <th>Trained</th>
              </tr>
            </thead>
            <tbody>
              {models.map((model) => {
                const validation = offlineValidation(model);
                return (
                  <tr key={model.id}>
                    <td>{model.id.slice(0, 8)}</td>
                    <td>{model.algorithm}</td>
                    <td className="num">{formatCount(model.exampleCount)}</td>
                    <td className="num">{formatCount(validation?.cases)}</td>
                    <td className="num">{formatRate(validation?.topicAccuracy ?? model.validationTopicAccuracy)}</td>
                    <td className="num">{formatRate(validation?.handoffRate)}</td>
                    <td className="num">
                      {validation?.rougeL === null || !validation ? '—' : validation.rougeL.toFixed(3)}
                    </td>
                    <td className="num">{formatDuration(model.trainingMs)}</td>
                    <td>{formatDateTime(model.createdAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function TrainOffline({
  sets,
  datasets,
  onTrained,
}: {
  sets: TrainingSet[];
  datasets: { name: string; latestVersionNumber: number }[];
  onTrained: () => void;
}) {
  // null: not chosen yet, the newest set (which may arrive after this form first rendered).
  const [chosenId, setSetId] = useState<string | null>(null);
  const setId = chosenId ?? sets[0]?.id ?? '';
  const [dataset, setDataset] = useState(datasets[0]?.name ?? '');
  const [done, setDone] = useState<string | null>(null);
  const train = useMutation(TRAIN_OFFLINE_MODEL);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    const result = await train.run({ dataset, trainingSet: setId || null });
    if (result) {
      const { trainingSet, offlineModel, version, evaluation } = result.trainOfflineModel;
      const validation = offlineValidation(offlineModel);
      setDone(
        `Trained on set #${trainingSet.number} (${offlineModel.exampleCount} examples, ${formatDuration(offlineModel.trainingMs)}): ` +
          `validation topic accuracy ${formatRate(validation?.topicAccuracy ?? offlineModel.validationTopicAccuracy)}. ` +
          `Draft v${version.number} (${version.status}); evaluation on ${evaluation.datasetVersion}: ${evaluation.status}` +
          `${evaluation.verdict ? `, ${evaluation.verdict}` : ''}${evaluation.reasons.length ? ` (${evaluation.reasons.join('; ')})` : ''}.`,
      );
      onTrained();
    }
  }

  if (datasets.length === 0)
    return (
      <p className="muted small">
        Training evaluates the new draft on an evaluation dataset: create one first (Learning page, evaluations).
      </p>
    );
  return (
    <details className="new-draft">
      <summary>Train offline model</summary>
      <form className="form" aria-label="Train offline model" onSubmit={submit}>
        <label htmlFor="offline-set">Training set</label>
        <select id="offline-set" value={setId} onChange={(event) => setSetId(event.target.value)}>
          {sets.map((set) => (
            <option key={set.id} value={set.id}>
              #{set.number}: {set.exampleCount} examples
            </option>
          ))}
          <option value="">A new export now (tenant settings)</option>
        </select>
        <label htmlFor="offline-dataset">Evaluation dataset</label>
        <select id="offline-dataset" value={dataset} onChange={(event) => setDataset(event.target.value)}>
          {datasets.map((entry) => (
            <option key={entry.name} value={entry.name}>
              {entry.name} (v{entry.latestVersionNumber})
            </option>
          ))}
        </select>
        <div className="row">
          <button type="submit" className="primary" disabled={train.pending || !dataset}>
            {train.pending ? 'Training and evaluating…' : 'Train offline model'}
          </button>
        </div>
        {done ? (
          <p className="state state-ok" role="status">
            {done}
          </p>
        ) : null}
        {train.error ? <ErrorNotice error={train.error} /> : null}
      </form>
    </details>
  );
}
