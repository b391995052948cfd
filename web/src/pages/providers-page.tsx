import { useMemo, useState } from 'react';
import { useMutation, useQuery } from '../api/hooks';
import { PROVIDERS, RESET_PROVIDER_STATS } from '../api/operations';
import { TimeChart } from '../components/chart';
import { Empty, ErrorNotice, QueryView } from '../components/states';
import { formatCount, formatDateTime, formatDuration, formatRate, formatUsd } from '../lib/format';
import { PERIODS, rangeOf, type Period } from '../lib/range';
import { useCan } from '../session-context';

const CIRCUIT_LABEL = { CLOSED: 'healthy', HALF_OPEN: 'probing', OPEN: 'open (skipped)' } as const;

/** Live provider health and circuits, daily usage and latency, the latest calls. */
export function ProvidersPage() {
  const [period, setPeriod] = useState<Period>(PERIODS[1]!);
  const variables = useMemo(() => {
    const range = rangeOf(period);
    return { range, since: range.from };
  }, [period]);
  const state = useQuery(PROVIDERS, variables);
  const canReset = useCan('users:manage');
  const reset = useMutation(RESET_PROVIDER_STATS);
  return (
    <>
      <div className="page-head">
        <h1>Providers</h1>
        <label className="inline">
          Period{' '}
          <select
            value={period.id}
            onChange={(event) => setPeriod(PERIODS.find((entry) => entry.id === event.target.value)!)}
          >
            {PERIODS.map((entry) => (
              <option key={entry.id} value={entry.id}>
                {entry.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <QueryView state={state}>
        {(data) => {
          const days = [...new Set(data.providerDailySummaries.map((row) => row.day))].sort();
          const models = [...new Set(data.providerDailySummaries.map((row) => `${row.provider}/${row.model}`))];
          const byKey = new Map(
            data.providerDailySummaries.map((row) => [`${row.day}|${row.provider}/${row.model}`, row]),
          );
          return (
            <>
              <section className="panel">
                <div className="page-head">
                  <h2>Health now</h2>
                  {canReset && data.providerHealth.some((row) => row.keyOwner === 'tenant') ? (
                    <button
                      type="button"
                      disabled={reset.pending}
                      onClick={async () => {
                        if (await reset.run({})) state.reload();
                      }}
                    >
                      Reset your keys' circuits
                    </button>
                  ) : null}
                </div>
                {reset.error ? <ErrorNotice error={reset.error} /> : null}
                {data.providerHealth.length === 0 ? (
                  <Empty title="No provider calls since parley started.">
                    Health appears after the first bot reply.
                  </Empty>
                ) : (
                  <div className="table-scroll">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">Provider / model</th>
                          <th scope="col">Circuit</th>
                          <th scope="col" className="num">
                            Calls
                          </th>
                          <th scope="col" className="num">
                            Failure rate
                          </th>
                          <th scope="col" className="num">
                            Avg latency
                          </th>
                          <th scope="col" className="num">
                            p95
                          </th>
                          <th scope="col">Last error</th>
                        </tr>
                      </thead>
                      <tbody>
                        {data.providerHealth.map((row) => (
                          <tr key={`${row.keyOwner}/${row.provider}/${row.model}`}>
                            <td>
                              {row.provider} / {row.model}
                              {row.keyOwner === 'tenant' ? ' (your key)' : ''}
                            </td>
                            <td>
                              <span className={`badge badge-circuit-${row.circuit.toLowerCase()}`}>
                                {CIRCUIT_LABEL[row.circuit]}
                              </span>
                            </td>
                            <td className="num">{formatCount(row.calls)}</td>
                            <td className="num">{formatRate(row.failureRate)}</td>
                            <td className="num">{formatDuration(row.averageLatencyMs)}</td>
                            <td className="num">{formatDuration(row.p95LatencyMs)}</td>
                            <td>
                              {row.lastErrorCode ? `${row.lastErrorCode} · ${formatDateTime(row.lastFailureAt)}` : '—'}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
                <p className="muted small">
                  Over the last {data.providerHealth[0]?.windowMinutes ?? 60} minutes of this instance. Shared platform
                  keys recover by themselves after the circuit cooldown; you can reset only the circuits of your own
                  keys.
                </p>
              </section>
              <div className="grid-2">
                <section className="panel">
                  <h2>Daily calls</h2>
                  {days.length ? (
                    <TimeChart
                      type="bar"
                      label="Provider calls per UTC day and model"
                      labels={days}
                      formatValue={(value) => formatCount(value)}
                      series={models.map((model) => ({
                        label: model,
                        values: days.map((day) => byKey.get(`${day}|${model}`)?.calls ?? null),
                      }))}
                    />
                  ) : (
                    <Empty title="No daily roll-ups yet.">
                      The nightly job rolls up each UTC day's calls; today's appear tomorrow.
                    </Empty>
                  )}
                </section>
                <section className="panel">
                  <h2>Daily p95 latency</h2>
                  {days.length ? (
                    <TimeChart
                      label="95th percentile latency per UTC day and model, milliseconds"
                      labels={days}
                      formatValue={formatDuration}
                      series={models.map((model) => ({
                        label: model,
                        values: days.map((day) => byKey.get(`${day}|${model}`)?.latencyP95Ms ?? null),
                      }))}
                    />
                  ) : (
                    <Empty title="No daily roll-ups yet." />
                  )}
                </section>
              </div>
              <section className="panel">
                <h2>Latest calls</h2>
                {data.providerUsage.nodes.length ? (
                  <div className="table-scroll">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">When</th>
                          <th scope="col">Provider / model</th>
                          <th scope="col">Result</th>
                          <th scope="col" className="num">
                            Latency
                          </th>
                          <th scope="col" className="num">
                            Tokens
                          </th>
                          <th scope="col" className="num">
                            Cost
                          </th>
                          <th scope="col">Routing</th>
                        </tr>
                      </thead>
                      <tbody>
                        {data.providerUsage.nodes.map((row) => (
                          <tr key={row.id}>
                            <td>{formatDateTime(row.createdAt)}</td>
                            <td>
                              {row.provider} / {row.model}
                            </td>
                            <td>
                              {row.success ? 'ok' : `failed (${row.errorCode ?? 'error'})`}
                              {row.failover ? ' · failover' : ''}
                            </td>
                            <td className="num">{formatDuration(row.latencyMs)}</td>
                            <td className="num">{formatCount(row.totalTokens)}</td>
                            <td className="num">{formatUsd(row.estimatedCostUsd)}</td>
                            <td className="small reason">{row.routingReason ?? '—'}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                ) : (
                  <Empty title="No calls in this period." />
                )}
                <p className="muted small">
                  {formatCount(data.providerUsage.totalCount)} calls in the period ·{' '}
                  {formatUsd(data.costAnalytics.costUsd)} in total
                </p>
              </section>
            </>
          );
        }}
      </QueryView>
    </>
  );
}
