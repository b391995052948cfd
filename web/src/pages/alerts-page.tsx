import { useMemo, useState, type FormEvent } from 'react';
import {
  ACKNOWLEDGE_ALERT,
  ALERT_SETTINGS,
  ALERTS,
  SILENCE_ALERT,
  UNSILENCE_ALERT,
  type Alert,
  type AlertSeverity,
  type AlertStatus,
} from '../api/alert-operations';
import { useMutation, useQuery } from '../api/hooks';
import { AlertSettingsPanel } from '../components/alert-settings-panel';
import { Empty, ErrorNotice, QueryView } from '../components/states';
import { ALERT_SOURCES, alertState, describeValue, SILENCE_CHOICES } from '../lib/alerts';
import { formatActor, formatDateTime } from '../lib/format';
import { useCan } from '../session-context';

/** Firing and recent alerts with acknowledge / silence, and the rule thresholds and routing behind them. */
export function AlertsPage() {
  const [status, setStatus] = useState<AlertStatus | ''>('');
  const [severity, setSeverity] = useState<AlertSeverity | ''>('');
  const [rule, setRule] = useState('');
  const [pages, setPages] = useState<(string | null)[]>([]);
  const variables = useMemo(
    () => ({
      first: 20,
      after: pages[pages.length - 1] ?? null,
      filter: { ...(status ? { status } : {}), ...(severity ? { severity } : {}), ...(rule ? { rule } : {}) },
    }),
    [pages, status, severity, rule],
  );
  const state = useQuery(ALERTS, variables);
  const settings = useQuery(ALERT_SETTINGS);
  const filtered = Boolean(status || severity || rule);
  return (
    <>
      <div className="page-head">
        <h1>Alerts</h1>
        <div className="row">
          <label htmlFor="alert-status">Status</label>
          <select
            id="alert-status"
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as AlertStatus | '');
              setPages([]);
            }}
          >
            <option value="">Firing, then recent</option>
            <option value="FIRING">Firing</option>
            <option value="RESOLVED">Resolved</option>
          </select>
          <label htmlFor="alert-severity">Severity</label>
          <select
            id="alert-severity"
            value={severity}
            onChange={(event) => {
              setSeverity(event.target.value as AlertSeverity | '');
              setPages([]);
            }}
          >
            <option value="">All</option>
            <option value="CRITICAL">Critical</option>
            <option value="WARNING">Warning</option>
            <option value="INFO">Info</option>
          </select>
          <label htmlFor="alert-rule">Rule</label>
          <select
            id="alert-rule"
            value={rule}
            onChange={(event) => {
              setRule(event.target.value);
              setPages([]);
            }}
          >
            <option value="">All</option>
            {ALERT_SOURCES.map((source) => (
              <option key={source.rule} value={source.rule}>
                {source.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <QueryView state={state}>
        {(data) =>
          data.alerts.totalCount === 0 && !pages.length ? (
            filtered ? (
              <Empty title="No alerts match these filters." />
            ) : (
              <Empty title="No alerts yet: all quiet.">
                Every minute parley checks five rules over the last window (15 minutes by default): reply quality
                dropping below its baseline, LLM spend above the monthly budget&apos;s pace, slow replies (p95),
                provider calls failing, and conversations handed to humans. When one crosses its threshold an alert
                shows here and goes to Slack, email or PagerDuty as routed below. The experiment guard and rollouts
                raise alerts too.
              </Empty>
            )
          ) : (
            <>
              <p className="muted small">
                {data.alerts.totalCount} alert{data.alerts.totalCount === 1 ? '' : 's'}; times in your zone.
              </p>
              <ul className="cards">
                {data.alerts.nodes.map((alert) => (
                  <AlertCard key={alert.id} alert={alert} onChanged={state.reload} />
                ))}
              </ul>
              {pages.length || data.alerts.pageInfo.hasNextPage ? (
                <div className="row">
                  <button type="button" disabled={!pages.length} onClick={() => setPages(pages.slice(0, -1))}>
                    ← Newer
                  </button>
                  <button
                    type="button"
                    disabled={!data.alerts.pageInfo.hasNextPage}
                    onClick={() => setPages([...pages, data.alerts.pageInfo.endCursor])}
                  >
                    Older →
                  </button>
                </div>
              ) : null}
            </>
          )
        }
      </QueryView>
      <QueryView state={settings}>
        {(data) => <AlertSettingsPanel settings={data.alertSettings} onSaved={settings.reload} />}
      </QueryView>
    </>
  );
}

const SEVERITY_BADGE: Record<AlertSeverity, string> = {
  CRITICAL: 'badge-critical',
  WARNING: 'badge-warning',
  INFO: 'badge-info',
};

function AlertCard({ alert, onChanged }: { alert: Alert; onChanged: () => void }) {
  const canWrite = useCan('corrections:write');
  const acknowledge = useMutation(ACKNOWLEDGE_ALERT);
  const silence = useMutation(SILENCE_ALERT);
  const unsilence = useMutation(UNSILENCE_ALERT);
  const [silencing, setSilencing] = useState(false);
  const [minutes, setMinutes] = useState<number>(SILENCE_CHOICES[0].minutes);
  const [reason, setReason] = useState('');
  const state = alertState(alert);
  const firing = alert.status === 'FIRING';

  async function onSilence(event: FormEvent) {
    event.preventDefault();
    if (await silence.run({ id: alert.id, minutes, reason: reason.trim() })) {
      setSilencing(false);
      setReason('');
      onChanged();
    }
  }
  const error = acknowledge.error ?? silence.error ?? unsilence.error;
  return (
    <li className="card" aria-label={`Alert ${alert.title}`}>
      <div className="card-head">
        <span className={`badge ${SEVERITY_BADGE[alert.severity]}`}>{alert.severity.toLowerCase()}</span>
        <strong>{alert.title}</strong>
        <span className={`badge badge-alert-${state}`}>{state}</span>
      </div>
      <p className="muted small">
        Rule <code>{alert.rule}</code>
        {alert.metric ? (
          <>
            {' '}
            · {alert.metric}: <strong>{describeValue(alert)}</strong>
          </>
        ) : null}
      </p>
      {alert.description ? <p>{alert.description}</p> : null}
      <p className="small">
        Firing since {formatDateTime(alert.firedAt)}
        {alert.resolvedAt ? ` · resolved ${formatDateTime(alert.resolvedAt)}` : ''}
        {alert.acknowledgedAt
          ? ` · acknowledged by ${formatActor(alert.acknowledgedBy)} ${formatDateTime(alert.acknowledgedAt)}`
          : ''}
        {` · ${alert.notifyCount} notification${alert.notifyCount === 1 ? '' : 's'}`}
      </p>
      {alert.silenced ? (
        <p className="small">
          Silenced until {formatDateTime(alert.silencedUntil)} by {formatActor(alert.silencedBy)}
          {alert.silenceReason ? `: ${alert.silenceReason}` : ''}
        </p>
      ) : null}
      {alert.notifyError ? <p className="small trend-bad">Last notification failed: {alert.notifyError}</p> : null}
      <div className="row">
        {alert.runbookUrl ? (
          <a href={alert.runbookUrl} target="_blank" rel="noreferrer">
            Runbook
          </a>
        ) : null}
        {canWrite && firing && !alert.acknowledgedAt ? (
          <button
            type="button"
            disabled={acknowledge.pending}
            onClick={async () => (await acknowledge.run({ id: alert.id })) && onChanged()}
          >
            Acknowledge
          </button>
        ) : null}
        {canWrite && firing && !alert.silenced && !silencing ? (
          <button type="button" onClick={() => setSilencing(true)}>
            Silence…
          </button>
        ) : null}
        {canWrite && alert.silenced ? (
          <button
            type="button"
            disabled={unsilence.pending}
            onClick={async () => (await unsilence.run({ id: alert.id })) && onChanged()}
          >
            Un-silence
          </button>
        ) : null}
      </div>
      {silencing ? (
        <form className="form" onSubmit={onSilence} aria-label="Silence this alert">
          <label htmlFor={`silence-for-${alert.id}`}>Silence for</label>
          <select
            id={`silence-for-${alert.id}`}
            value={minutes}
            onChange={(event) => setMinutes(Number(event.target.value))}
          >
            {SILENCE_CHOICES.map((choice) => (
              <option key={choice.minutes} value={choice.minutes}>
                {choice.label}
              </option>
            ))}
          </select>
          <label htmlFor={`silence-reason-${alert.id}`}>Reason</label>
          <input
            id={`silence-reason-${alert.id}`}
            value={reason}
            required
            maxLength={500}
            onChange={(event) => setReason(event.target.value)}
            placeholder="e.g. provider incident, tracked upstream"
          />
          <div className="row">
            <button type="submit" className="primary" disabled={silence.pending || !reason.trim()}>
              Silence
            </button>
            <button type="button" onClick={() => setSilencing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
    </li>
  );
}
