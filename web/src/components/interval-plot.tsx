import { axisPosition, intervalAxis, intervalVerdict } from '../lib/learning';

export interface IntervalRow {
  metric: string;
  estimate: number;
  ci: number[];
  sequentialCi: number[];
}

const percent = (value: number) => `${value > 0 ? '+' : ''}${(value * 100).toFixed(1)} %`;

/**
 * Relative change of each metric (candidate vs control) with its 95 %
 * intervals drawn on one axis around 0: the thin bar is the always-valid
 * (sequential) interval (cut at the axis ends when wider), the thick one the
 * fixed-horizon interval.
 */
export function IntervalPlot({ rows }: { rows: IntervalRow[] }) {
  // The axis holds the fixed-horizon intervals; the wider sequential ones are cut at its ends.
  const axis = intervalAxis(rows.flatMap((row) => [row.ci, [row.estimate]]));
  const zero = axisPosition(0, axis.min, axis.max);
  return (
    <div className="intervals" role="img" aria-label="Relative change of each metric with its 95 % intervals">
      <div className="interval-axis muted small">
        <span>{percent(axis.min)}</span>
        <span>0</span>
        <span>{percent(axis.max)}</span>
      </div>
      {rows.map((row) => {
        const verdict = intervalVerdict(row.metric, row.sequentialCi);
        const span = (interval: number[]) => {
          const left = axisPosition(interval[0] ?? 0, axis.min, axis.max);
          return {
            left: `${left}%`,
            width: `${Math.max(0.5, axisPosition(interval[1] ?? 0, axis.min, axis.max) - left)}%`,
          };
        };
        return (
          <div key={row.metric} className={`interval-row interval-${verdict}`}>
            <span className="interval-label">{row.metric.replace(/_/g, ' ')}</span>
            <span className="interval-track">
              <span className="interval-zero" style={{ left: `${zero}%` }} />
              <span className="interval-seq" style={span(row.sequentialCi)} />
              <span className="interval-ci" style={span(row.ci)} />
              <span className="interval-point" style={{ left: `${axisPosition(row.estimate, axis.min, axis.max)}%` }} />
            </span>
            <span
              className="interval-value"
              title={`95 % interval ${percent(row.ci[0] ?? 0)} to ${percent(row.ci[1] ?? 0)}; always-valid ${percent(row.sequentialCi[0] ?? 0)} to ${percent(row.sequentialCi[1] ?? 0)}`}
            >
              {percent(row.estimate)} <span className="muted small">({verdict})</span>
            </span>
          </div>
        );
      })}
    </div>
  );
}
