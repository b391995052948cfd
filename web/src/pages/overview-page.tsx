import { useMemo, useState } from 'react';
import { useQuery } from '../api/hooks';
import { OVERVIEW } from '../api/operations';
import { TimeChart } from '../components/chart';
import { MetricCard } from '../components/metric-card';
import { Empty, QueryView } from '../components/states';
import { formatBucket, formatCount, formatDuration, formatRate, formatUsd } from '../lib/format';
import { alignSeries, bucketStarts, PERIODS, previousRangeOf, rangeOf, trend, type Period } from '../lib/range';
import { percentile } from '../lib/stats';
import { TARGETS } from '../lib/targets';

const rateTick = (value: number) => formatRate(value);
const usdTick = (value: number) => formatUsd(value);

/** Quality and business metrics of the period, against targets and the period before, with their trends. */
export function OverviewPage() {
  const [period, setPeriod] = useState<Period>(PERIODS[1]!);
  const variables = useMemo(() => {
    const range = rangeOf(period);
    return { range, previous: previousRangeOf(period), groupBy: period.bucket, since: range.from };
  }, [period]);
  const state = useQuery(OVERVIEW, variables);

  return (
    <>
      <div className="page-head">
        <h1>Overview</h1>
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
          const feedback = data.feedbackAnalytics.totals;
          const before = data.previousFeedback.totals;
          const cost = data.costAnalytics;
          if (feedback.botReplies === 0 && cost.calls === 0) {
            return (
              <Empty title="No conversations in this period yet.">
                Metrics appear once customers talk to the bot: connect WhatsApp or Slack in Settings, or try it now with{' '}
                <code>npm run chat</code>. Pick a longer period above to see older traffic.
              </Empty>
            );
          }
          const latencies = data.providerUsage.nodes.filter((call) => call.success).map((call) => call.latencyMs);
          const p95 = percentile(latencies, 95);
          const starts = bucketStarts(variables.range, period.bucket);
          const labels = starts.map((start) => formatBucket(start.toISOString(), period.bucket));
          const quality = data.feedbackAnalytics.series;
          const costLabels = labels;
          const automation = feedback.handoffRequestRate === null ? null : 1 - feedback.handoffRequestRate;
          return (
            <>
              <div className="metrics">
                <MetricCard
                  title="Helpful rate"
                  value={feedback.helpfulRate}
                  display={formatRate(feedback.helpfulRate)}
                  target={TARGETS.helpfulRate}
                  change={trend(feedback.helpfulRate, before.helpfulRate)}
                  hint={`${formatCount(feedback.helpfulCount)} helpful, ${formatCount(feedback.notHelpfulCount)} not helpful of ${formatCount(feedback.totalFeedback)} votes`}
                />
                <MetricCard
                  title="Handoff request rate"
                  value={feedback.handoffRequestRate}
                  display={formatRate(feedback.handoffRequestRate)}
                  target={TARGETS.handoffRequestRate}
                  change={trend(feedback.handoffRequestRate, before.handoffRequestRate)}
                  hint={`Automation rate ${formatRate(automation)}`}
                />
                <MetricCard
                  title="Implicit satisfaction"
                  value={feedback.averageImplicitSatisfaction}
                  display={formatRate(feedback.averageImplicitSatisfaction)}
                  target={TARGETS.averageImplicitSatisfaction}
                  change={trend(feedback.averageImplicitSatisfaction, before.averageImplicitSatisfaction)}
                  hint="Estimated from what customers did after each reply (CSAT proxy)"
                />
                <MetricCard
                  title="Feedback collection"
                  value={feedback.feedbackCollectionRate}
                  display={formatRate(feedback.feedbackCollectionRate)}
                  target={TARGETS.feedbackCollectionRate}
                  change={trend(feedback.feedbackCollectionRate, before.feedbackCollectionRate)}
                  hint={`${formatCount(feedback.botReplies)} bot replies`}
                />
                <MetricCard
                  title="Cost per conversation"
                  value={cost.costPerConversationUsd}
                  display={formatUsd(cost.costPerConversationUsd)}
                  target={TARGETS.costPerConversationUsd}
                  formatTarget={usdTick}
                  change={trend(cost.costPerConversationUsd, data.previousCost.costPerConversationUsd)}
                  hint={`${formatUsd(cost.costUsd)} over ${formatCount(cost.conversations)} conversations`}
                />
                <MetricCard
                  title="Response time (p95)"
                  value={p95}
                  display={formatDuration(p95)}
                  target={TARGETS.p95LatencyMs}
                  formatTarget={formatDuration}
                  hint={`Latest ${formatCount(latencies.length)} successful model calls`}
                />
                <MetricCard
                  title="Saved by routing"
                  value={cost.savingUsd}
                  display={formatUsd(cost.savingUsd)}
                  hint={`${formatRate(cost.savingRate)} against sending everything to ${cost.baselineModel}`}
                />
              </div>
              <div className="grid-2">
                <section className="panel">
                  <h2>Quality</h2>
                  <TimeChart
                    label={`Helpful rate, handoff request rate and implicit satisfaction per ${period.bucket.toLowerCase()}`}
                    labels={labels}
                    formatValue={rateTick}
                    series={[
                      { label: 'Helpful rate', values: alignSeries(starts, quality, (point) => point.helpfulRate) },
                      {
                        label: 'Handoff requests',
                        values: alignSeries(starts, quality, (point) => point.handoffRequestRate),
                      },
                      {
                        label: 'Implicit satisfaction',
                        values: alignSeries(starts, quality, (point) => point.averageImplicitSatisfaction),
                      },
                      {
                        label: 'Helpful-rate target',
                        values: labels.map(() => TARGETS.helpfulRate!.value),
                        dashed: true,
                        color: '#9ca3af',
                      },
                    ]}
                  />
                </section>
                <section className="panel">
                  <h2>Cost (USD)</h2>
                  <TimeChart
                    type="bar"
                    label={`LLM cost per ${period.bucket.toLowerCase()} against the balanced-model baseline, in US dollars`}
                    labels={costLabels}
                    formatValue={usdTick}
                    series={[
                      { label: 'Cost', values: alignSeries(starts, cost.series, (point) => point.costUsd) },
                      {
                        label: `Baseline (${cost.baselineModel})`,
                        values: alignSeries(starts, cost.series, (point) => point.balancedCostUsd),
                      },
                    ]}
                  />
                </section>
                <section className="panel">
                  <h2>Bot replies and votes</h2>
                  <TimeChart
                    type="bar"
                    label={`Bot replies and votes per ${period.bucket.toLowerCase()}`}
                    labels={labels}
                    formatValue={(value) => formatCount(value)}
                    series={[
                      { label: 'Bot replies', values: alignSeries(starts, quality, (point) => point.botReplies) },
                      {
                        label: 'Helpful votes',
                        values: alignSeries(starts, quality, (point) => point.helpfulCount),
                        color: '#2f9e6e',
                      },
                      {
                        label: 'Not helpful votes',
                        values: alignSeries(starts, quality, (point) => point.notHelpfulCount),
                        color: '#c0392b',
                      },
                    ]}
                  />
                </section>
                <section className="panel">
                  <h2>By model</h2>
                  {cost.byModel.length ? (
                    <div className="table-scroll">
                      <table>
                        <thead>
                          <tr>
                            <th scope="col">Provider / model</th>
                            <th scope="col" className="num">
                              Calls
                            </th>
                            <th scope="col" className="num">
                              Failed
                            </th>
                            <th scope="col" className="num">
                              Tokens
                            </th>
                            <th scope="col" className="num">
                              Cost
                            </th>
                          </tr>
                        </thead>
                        <tbody>
                          {cost.byModel.map((row) => (
                            <tr key={`${row.provider}/${row.model}`}>
                              <td>
                                {row.provider} / {row.model}
                              </td>
                              <td className="num">{formatCount(row.calls)}</td>
                              <td className="num">{formatCount(row.failedCalls)}</td>
                              <td className="num">{formatCount(row.totalTokens, { compact: true })}</td>
                              <td className="num">{formatUsd(row.costUsd)}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  ) : (
                    <Empty title="No model calls in this period." />
                  )}
                  <p className="muted small">Per model version once the learning loop's API exists.</p>
                </section>
              </div>
            </>
          );
        }}
      </QueryView>
    </>
  );
}
