import { useState, type FormEvent } from 'react';
import {
  UPDATE_ALERT_SETTINGS,
  type AlertNotifier,
  type AlertSettings,
  type AlertSettingsInput,
} from '../api/alert-operations';
import { useMutation } from '../api/hooks';
import { fieldErrors, parseRecipients, THRESHOLD_LABELS, thresholdChanges } from '../lib/alerts';
import { formatDateTime } from '../lib/format';
import { useCan } from '../session-context';
import { ErrorNotice } from './states';

const NOTIFIERS: { id: AlertNotifier; label: string }[] = [
  { id: 'SLACK', label: 'Slack' },
  { id: 'EMAIL', label: 'Email' },
  { id: 'PAGERDUTY', label: 'PagerDuty' },
];

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <span id={id} className="field-error" role="alert">
      {message}
    </span>
  ) : null;
}

/** A save of settings.alerts: field errors from the server shown next to their fields. */
function useAlertSave(onSaved: () => void) {
  const update = useMutation(UPDATE_ALERT_SETTINGS);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  async function save(input: AlertSettingsInput, localErrors: Record<string, string> = {}) {
    setSaved(false);
    if (Object.keys(localErrors).length) {
      setErrors(localErrors);
      setGeneral(null);
      return;
    }
    const result = await update.run({ input });
    if (result) {
      setErrors({});
      setGeneral(null);
      setSaved(true);
      onSaved();
    }
  }
  const server = update.error?.code === 'BAD_USER_INPUT' ? fieldErrors(update.error.message) : null;
  return {
    save,
    pending: update.pending,
    saved,
    errors: server ? { ...errors, ...server.fields } : errors,
    general: server ? server.general : general,
    otherError: update.error && update.error.code !== 'BAD_USER_INPUT' ? update.error : null,
  };
}

/** Rule thresholds (effective value, default) and notification routing, editable with users:manage. */
export function AlertSettingsPanel({ settings, onSaved }: { settings: AlertSettings; onSaved: () => void }) {
  return (
    <>
      <ThresholdsForm settings={settings} onSaved={onSaved} />
      <RoutingForm settings={settings} onSaved={onSaved} />
    </>
  );
}

function ThresholdsForm({ settings, onSaved }: { settings: AlertSettings; onSaved: () => void }) {
  const canManage = useCan('users:manage');
  const [edited, setEdited] = useState<Record<string, string>>(() =>
    Object.fromEntries(settings.thresholds.map((threshold) => [threshold.name, String(threshold.value)])),
  );
  const [disabled, setDisabled] = useState<string[]>(settings.disabledRules);
  const saving = useAlertSave(onSaved);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const { changes, errors } = thresholdChanges(settings.thresholds, edited);
    const sameRules =
      disabled.length === settings.disabledRules.length &&
      disabled.every((rule) => settings.disabledRules.includes(rule));
    await saving.save(
      {
        ...(Object.keys(changes).length ? { thresholds: changes } : {}),
        ...(sameRules ? {} : { disabledRules: disabled }),
      },
      errors,
    );
  }
  return (
    <form className="panel form" onSubmit={submit} aria-label="Rule thresholds">
      <h2>Rule thresholds</h2>
      {settings.problem ? (
        <div className="state state-warning" role="alert">
          The stored alert settings are invalid, so the rules run on the defaults: {settings.problem}
        </div>
      ) : null}
      <p className="muted small">
        Empty a field to go back to the default. Last changed {formatDateTime(settings.updatedAt)}.
        {canManage ? '' : ' Changing them needs a key with users:manage.'}
      </p>
      <div className="grid-2 tight">
        {settings.thresholds.map((threshold) => {
          const id = `threshold-${threshold.name}`;
          const error = saving.errors[`thresholds.${threshold.name}`];
          const label = THRESHOLD_LABELS[threshold.name];
          return (
            <div key={threshold.name}>
              <label htmlFor={id}>
                {label?.label ?? threshold.name} ({label?.unit ?? ''})
                {threshold.custom ? <span className="badge">custom</span> : null}
              </label>
              <input
                id={id}
                inputMode="decimal"
                value={edited[threshold.name] ?? ''}
                placeholder={String(threshold.defaultValue)}
                readOnly={!canManage}
                aria-invalid={error ? true : undefined}
                aria-describedby={`${id}-help${error ? ` ${id}-error` : ''}`}
                onChange={(event) => setEdited({ ...edited, [threshold.name]: event.target.value })}
              />
              <FieldError id={`${id}-error`} message={error} />
              <div id={`${id}-help`} className="muted small">
                {threshold.description} Default {threshold.defaultValue}.
              </div>
            </div>
          );
        })}
      </div>
      <fieldset>
        <legend>Rules on</legend>
        {settings.rules.map((rule) => (
          <label key={rule} className="check">
            <input
              type="checkbox"
              checked={!disabled.includes(rule)}
              disabled={!canManage}
              onChange={(event) =>
                setDisabled(event.target.checked ? disabled.filter((name) => name !== rule) : [...disabled, rule])
              }
            />{' '}
            {rule}
          </label>
        ))}
        <FieldError id="disabled-rules-error" message={saving.errors.disabledRules} />
      </fieldset>
      {canManage ? <SaveRow label="Save thresholds" saving={saving} /> : null}
    </form>
  );
}

function RoutingForm({ settings, onSaved }: { settings: AlertSettings; onSaved: () => void }) {
  const canManage = useCan('users:manage');
  const [routes, setRoutes] = useState<Record<string, AlertNotifier[]>>(() =>
    Object.fromEntries(settings.routes.map((route) => [route.severity, route.notifiers])),
  );
  const [emailTo, setEmailTo] = useState((settings.emailTo ?? []).join(', '));
  const [budget, setBudget] = useState(settings.monthlyBudgetUsd === null ? '' : String(settings.monthlyBudgetUsd));
  const saving = useAlertSave(onSaved);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const input: AlertSettingsInput = {};
    const changedRoutes: NonNullable<AlertSettingsInput['routes']> = {};
    for (const route of settings.routes) {
      const next = routes[route.severity] ?? [];
      if (next.join() !== route.notifiers.join())
        changedRoutes[route.severity.toLowerCase() as 'critical' | 'warning' | 'info'] = next;
    }
    if (Object.keys(changedRoutes).length) input.routes = changedRoutes;
    const recipients = parseRecipients(emailTo);
    if ((recipients ?? []).join() !== (settings.emailTo ?? []).join()) input.emailTo = recipients;
    const budgetValue = budget.trim() === '' ? null : Number(budget);
    if (budgetValue !== null && !Number.isFinite(budgetValue))
      return saving.save({}, { monthlyBudgetUsd: 'Enter an amount in USD' });
    if (budgetValue !== settings.monthlyBudgetUsd) input.monthlyBudgetUsd = budgetValue;
    await saving.save(input);
  }
  const toggle = (severity: string, notifier: AlertNotifier, on: boolean) => {
    const current = routes[severity] ?? [];
    setRoutes({
      ...routes,
      [severity]: on ? [...current, notifier] : current.filter((entry) => entry !== notifier),
    });
  };
  return (
    <form className="panel form" onSubmit={submit} aria-label="Notification routing">
      <h2>Notification routing</h2>
      <p className="muted small">
        Where each severity goes; the service log always gets every alert.
        {settings.pagerDutyRoutingKeySet ? ' This tenant has its own PagerDuty routing key.' : ''}
      </p>
      <div className="table-scroll">
        <table className="alert-routes">
          <thead>
            <tr>
              <th scope="col">Severity</th>
              {NOTIFIERS.map((notifier) => (
                <th key={notifier.id} scope="col">
                  {notifier.label}
                </th>
              ))}
              <th scope="col">Default</th>
            </tr>
          </thead>
          <tbody>
            {settings.routes.map((route) => (
              <tr key={route.severity}>
                <th scope="row">
                  {route.severity.toLowerCase()}
                  {route.custom ? <span className="badge">custom</span> : null}
                </th>
                {NOTIFIERS.map((notifier) => (
                  <td key={notifier.id}>
                    <input
                      type="checkbox"
                      aria-label={`${route.severity.toLowerCase()} alerts to ${notifier.label}`}
                      checked={(routes[route.severity] ?? []).includes(notifier.id)}
                      disabled={!canManage}
                      onChange={(event) => toggle(route.severity, notifier.id, event.target.checked)}
                    />
                  </td>
                ))}
                <td className="muted small">
                  {route.defaults.map((entry) => entry.toLowerCase()).join(', ') || 'log only'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <FieldError id="routes-error" message={saving.errors.routes} />
      <label htmlFor="alert-email-to">Email recipients (comma-separated; empty: the service default)</label>
      <input
        id="alert-email-to"
        value={emailTo}
        readOnly={!canManage}
        aria-invalid={saving.errors.emailTo ? true : undefined}
        onChange={(event) => setEmailTo(event.target.value)}
        placeholder="oncall@example.com"
      />
      <FieldError id="alert-email-to-error" message={saving.errors.emailTo} />
      <label htmlFor="alert-budget">Monthly LLM budget (USD; empty: no budget, no cost rule)</label>
      <input
        id="alert-budget"
        inputMode="decimal"
        value={budget}
        readOnly={!canManage}
        aria-invalid={saving.errors.monthlyBudgetUsd ? true : undefined}
        onChange={(event) => setBudget(event.target.value)}
        placeholder="none"
      />
      <FieldError id="alert-budget-error" message={saving.errors.monthlyBudgetUsd} />
      {canManage ? <SaveRow label="Save routing" saving={saving} /> : null}
    </form>
  );
}

function SaveRow({ label, saving }: { label: string; saving: ReturnType<typeof useAlertSave> }) {
  return (
    <>
      <div className="row">
        <button type="submit" className="primary" disabled={saving.pending}>
          {saving.pending ? 'Saving…' : label}
        </button>
        {saving.saved ? (
          <span className="state-ok" role="status">
            Saved.
          </span>
        ) : null}
      </div>
      {saving.general ? (
        <div className="state state-error" role="alert">
          {saving.general}
        </div>
      ) : null}
      {saving.otherError ? <ErrorNotice error={saving.otherError} /> : null}
    </>
  );
}
