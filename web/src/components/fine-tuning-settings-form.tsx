import { useState, type FormEvent } from 'react';
import { useMutation } from '../api/hooks';
import { UPDATE_FINE_TUNING_SETTINGS, type FineTuningSettings } from '../api/training-operations';
import { ErrorNotice } from './states';

const TIERS = ['cheap', 'balanced', 'long-context', 'reasoning'];

/** The tenant's fine-tuning settings: the monthly schedule, its threshold, base model, tiers, gating dataset. */
export function FineTuningSettingsForm({
  settings,
  datasets,
  canManage,
}: {
  settings: FineTuningSettings;
  datasets: { name: string }[];
  canManage: boolean;
}) {
  const [form, setForm] = useState(settings);
  const [saved, setSaved] = useState<string | null>(null);
  const update = useMutation(UPDATE_FINE_TUNING_SETTINGS);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(null);
    const result = await update.run({
      input: {
        schedule: form.schedule,
        minNewExamples: form.minNewExamples,
        baseModel: form.baseModel.trim() || null,
        tiers: form.tiers,
        gatingDataset: form.gatingDataset || null,
      },
    });
    if (result) {
      setForm(result.updateFineTuningSettings);
      setSaved('Fine-tuning settings saved.');
    }
  }

  return (
    <details className="new-draft">
      <summary>Fine-tuning settings</summary>
      <form className="form" aria-label="Fine-tuning settings" onSubmit={submit}>
        <label htmlFor="ft-schedule">Schedule</label>
        <select
          id="ft-schedule"
          disabled={!canManage}
          value={form.schedule}
          onChange={(event) => setForm({ ...form, schedule: event.target.value })}
        >
          <option value="monthly">Monthly: one job on the first of each month (UTC), when there is new data</option>
          <option value="off">Off: only by hand</option>
        </select>
        <label htmlFor="ft-min">New approved corrections a scheduled job needs</label>
        <input
          id="ft-min"
          type="number"
          min={0}
          disabled={!canManage}
          value={form.minNewExamples}
          onChange={(event) => setForm({ ...form, minNewExamples: Number(event.target.value) })}
        />
        <label htmlFor="ft-model">Base model (OpenAI)</label>
        <input
          id="ft-model"
          disabled={!canManage}
          value={form.baseModel}
          onChange={(event) => setForm({ ...form, baseModel: event.target.value })}
        />
        <fieldset disabled={!canManage}>
          <legend className="small">Tiers of the draft version that get the fine-tuned model</legend>
          {TIERS.map((tier) => (
            <label key={tier} className="check">
              <input
                type="checkbox"
                checked={form.tiers.includes(tier)}
                onChange={(event) =>
                  setForm({
                    ...form,
                    tiers: event.target.checked ? [...form.tiers, tier] : form.tiers.filter((entry) => entry !== tier),
                  })
                }
              />
              {tier}
            </label>
          ))}
        </fieldset>
        <label htmlFor="ft-gating">Gating dataset that validates the draft</label>
        <select
          id="ft-gating"
          disabled={!canManage}
          value={form.gatingDataset ?? ''}
          onChange={(event) => setForm({ ...form, gatingDataset: event.target.value || null })}
        >
          <option value="">The largest gating dataset (≥ 500 cases)</option>
          {form.gatingDataset && !datasets.some((dataset) => dataset.name === form.gatingDataset) ? (
            <option value={form.gatingDataset}>{form.gatingDataset}</option>
          ) : null}
          {datasets.map((dataset) => (
            <option key={dataset.name} value={dataset.name}>
              {dataset.name}
            </option>
          ))}
        </select>
        {canManage ? (
          <div className="row">
            <button type="submit" className="primary" disabled={update.pending || form.tiers.length === 0}>
              Save fine-tuning settings
            </button>
          </div>
        ) : (
          <p className="muted small">Changing these needs a key with the users:manage scope.</p>
        )}
        {saved ? (
          <p className="state state-ok" role="status">
            {saved}
          </p>
        ) : null}
        {update.error ? <ErrorNotice error={update.error} /> : null}
      </form>
    </details>
  );
}
