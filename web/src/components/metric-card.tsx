import { isImprovement, targetStatus, type Target } from '../lib/targets';
import { formatRate } from '../lib/format';

/** One figure with its unit, its target (met or missed) and its change against the previous period. */
export function MetricCard({
  title,
  value,
  display,
  target,
  change,
  hint,
  formatTarget,
}: {
  title: string;
  value: number | null | undefined;
  display: string;
  target?: Target;
  change?: number | null;
  hint?: string;
  formatTarget?: (value: number) => string;
}) {
  const status = target ? targetStatus(value, target) : 'unknown';
  const good = target && change !== undefined ? isImprovement(change ?? null, target.better) : null;
  return (
    <section className={`metric metric-${status}`} aria-label={title}>
      <h3>{title}</h3>
      <div className="metric-value">{display}</div>
      {target ? (
        <div className="metric-target">
          Target {target.better === 'higher' ? '≥' : '≤'}{' '}
          {formatTarget ? formatTarget(target.value) : formatRate(target.value)}
          {status !== 'unknown' ? (
            <span className={`badge badge-${status}`}>{status === 'met' ? 'met' : 'missed'}</span>
          ) : null}
        </div>
      ) : null}
      {change !== undefined && change !== null ? (
        <div className={`metric-trend ${good === null ? '' : good ? 'trend-good' : 'trend-bad'}`}>
          {change > 0 ? '▲' : change < 0 ? '▼' : '■'} {formatRate(Math.abs(change))} vs previous period
        </div>
      ) : null}
      {hint ? <div className="muted small">{hint}</div> : null}
    </section>
  );
}
