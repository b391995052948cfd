import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '../api/hooks';
import { CREATE_TRAINING_SET, TRAINING, type TrainingSet } from '../api/training-operations';
import { FineTuningPanel } from '../components/fine-tuning-panel';
import { OfflineModelsPanel } from '../components/offline-models-panel';
import { Empty, ErrorNotice, QueryView } from '../components/states';
import { TrainingSetCard } from '../components/training-set-card';
import { formatCount } from '../lib/format';
import { navigate } from '../lib/router';
import { EMPTY_SET_FORM, MINIMUM_TRAINING_EXAMPLES, setInputOf, type SetForm } from '../lib/training';
import { useCan } from '../session-context';

/** Training sets with statistics and downloads, fine-tuning jobs and settings, offline models. */
export function TrainingPage() {
  const state = useQuery(TRAINING);
  const canExport = useCan('corrections:write');
  return (
    <>
      <div className="page-head">
        <h1>Training</h1>
        <button type="button" onClick={state.reload}>
          Refresh
        </button>
      </div>
      <QueryView state={state}>
        {(data) => {
          const approved = data.approvedCorrections.totalCount;
          const nothingYet = data.trainingSets.length === 0;
          return (
            <>
              {nothingYet && approved === 0 ? (
                <Empty title="No training data yet: this tenant has no approved corrections.">
                  Training data comes from corrections approved with a quality score of 4 or more. Review the replies
                  customers voted “not helpful” in{' '}
                  <button type="button" className="link" onClick={() => navigate('/feedback')}>
                    Feedback review
                  </button>
                  , correct them, and approve the corrections on the{' '}
                  <button type="button" className="link" onClick={() => navigate('/corrections')}>
                    Corrections
                  </button>{' '}
                  page (or in Slack). A training set needs at least {MINIMUM_TRAINING_EXAMPLES} training examples;
                  OpenAI recommends 50 to 100.
                </Empty>
              ) : null}
              <section className="panel" aria-labelledby="sets-heading">
                <div className="page-head">
                  <h2 id="sets-heading">Training sets</h2>
                  <span className="muted small">{formatCount(approved)} approved corrections</span>
                </div>
                <p className="muted small">
                  A training set is an immutable export of the approved corrections (optionally replies voted
                  thumbs-up), split 80 % training / 20 % validation, in OpenAI and Gemini JSONL.
                </p>
                {canExport && approved > 0 ? <CreateSet onCreated={state.reload} /> : null}
                {!canExport ? (
                  <p className="muted small">Exporting a training set needs a key with the corrections:write scope.</p>
                ) : null}
                {nothingYet && approved > 0 ? (
                  <Empty title="No training set exported yet.">
                    Export one above: it needs at least {MINIMUM_TRAINING_EXAMPLES} training examples after filtering.
                  </Empty>
                ) : null}
                <ul className="cards">
                  {data.trainingSets.map((set: TrainingSet, index: number) => (
                    <TrainingSetCard key={set.id} set={set} open={index === 0} />
                  ))}
                </ul>
              </section>
              <FineTuningPanel
                jobs={data.fineTuningJobs}
                settings={data.fineTuningSettings}
                sets={data.trainingSets}
                datasets={data.evaluationDatasets}
                onChanged={state.reload}
              />
              <OfflineModelsPanel
                models={data.offlineModels}
                sets={data.trainingSets}
                datasets={data.evaluationDatasets}
                onChanged={state.reload}
              />
            </>
          );
        }}
      </QueryView>
    </>
  );
}

function CreateSet({ onCreated }: { onCreated: () => void }) {
  const [form, setForm] = useState<SetForm>(EMPTY_SET_FORM);
  const [open, setOpen] = useState(false);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const create = useMutation(CREATE_TRAINING_SET);
  const change = (patch: Partial<SetForm>) => setForm((previous) => ({ ...previous, ...patch }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    const parsed = setInputOf(form);
    if ('error' in parsed) {
      setInvalid(parsed.error);
      return;
    }
    setInvalid(null);
    const result = await create.run({ input: parsed.input });
    if (result) {
      const set = result.createTrainingSet;
      setDone(
        `Training set #${set.number} exported: ${set.exampleCount} examples (${set.trainCount} training, ${set.validationCount} validation).`,
      );
      setForm(EMPTY_SET_FORM);
      onCreated();
      setOpen(false);
    }
  }

  return (
    <>
      <details className="new-draft" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary>Export a training set</summary>
        <form className="form" onSubmit={submit} aria-label="Export a training set">
          <p className="muted small">Blank fields use the tenant's settings (settings.training; defaults shown).</p>
          <label htmlFor="set-quality">Minimum quality score, 0–5 (default 4)</label>
          <input
            id="set-quality"
            type="number"
            min={0}
            max={5}
            step={1}
            value={form.minQuality}
            onChange={(event) => change({ minQuality: event.target.value })}
          />
          <label htmlFor="set-mask">Mask emails, phone and order numbers</label>
          <select
            id="set-mask"
            value={form.maskPersonalData}
            onChange={(event) => change({ maskPersonalData: event.target.value as SetForm['maskPersonalData'] })}
          >
            <option value="tenant">Tenant setting (default: mask)</option>
            <option value="yes">Mask</option>
            <option value="no">Do not mask</option>
          </select>
          <label htmlFor="set-thumbs">Also replies voted thumbs-up</label>
          <select
            id="set-thumbs"
            value={form.includeThumbsUp}
            onChange={(event) => change({ includeThumbsUp: event.target.value as SetForm['includeThumbsUp'] })}
          >
            <option value="tenant">Tenant setting (default: no)</option>
            <option value="yes">Include</option>
            <option value="no">Leave out</option>
          </select>
          <label htmlFor="set-satisfaction">Implicit satisfaction a thumbs-up reply needs, 0–1 (default 0.8)</label>
          <input
            id="set-satisfaction"
            type="number"
            min={0}
            max={1}
            step={0.05}
            value={form.minImplicitSatisfaction}
            onChange={(event) => change({ minImplicitSatisfaction: event.target.value })}
          />
          <div className="row">
            <button type="submit" className="primary" disabled={create.pending}>
              {create.pending ? 'Exporting…' : 'Export training set'}
            </button>
          </div>
          {invalid ? (
            <p className="state state-error" role="alert">
              {invalid}
            </p>
          ) : null}
          {create.error ? <ErrorNotice error={create.error} /> : null}
        </form>
      </details>
      {done ? (
        <p className="state state-ok" role="status">
          {done}
        </p>
      ) : null}
    </>
  );
}
