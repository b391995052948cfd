import { useState } from 'react';
import { ApiError, request } from '../api/client';
import { TRAINING_FILES, type TrainingSet } from '../api/training-operations';
import { formatCount, formatDateTime, formatRate, formatUsd } from '../lib/format';
import { countRows, downloadName, jsonlLines, parseSettings, parseStatistics } from '../lib/training';
import { ErrorNotice } from './states';

/** Saves `text` as a file through the browser (a Blob URL; nothing but the API's answer is downloaded). */
function saveFile(text: string, name: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/jsonl' }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function Counts({ title, counts, total }: { title: string; counts: Record<string, number>; total?: number }) {
  const rows = countRows(counts, total);
  return (
    <div className="table-scroll">
      <table>
        <caption className="muted small">{title}</caption>
        <thead>
          <tr>
            <th>{title.replace(/^By (\w)/, (_, first: string) => first.toUpperCase())}</th>
            <th className="num">Examples</th>
            <th className="num">Share</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={3} className="muted">
                none
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={row.name}>
                <td>{row.name}</td>
                <td className="num">{formatCount(row.count)}</td>
                <td className="num">{formatRate(row.share)}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

/** One training set: counts, tokens, cost per provider, warnings, what was filtered out, downloads. */
export function TrainingSetCard({ set, open }: { set: TrainingSet; open: boolean }) {
  const statistics = parseStatistics(set.statistics);
  const settings = parseSettings(set.settings);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const filtered = countRows(statistics.filteredOut);

  async function download(format: 'openai' | 'gemini', split: 'train' | 'validation') {
    setBusy(true);
    setError(null);
    try {
      const data = await request(TRAINING_FILES, { reference: set.id, format });
      const text = data.trainingFiles[split];
      const name = downloadName(set.number, format, split);
      saveFile(text, name);
      setSaved(`Saved ${name} (${formatCount(jsonlLines(text))} examples).`);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError(String(caught), 'INTERNAL', 0));
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className="card" aria-label={`Training set #${set.number}`}>
      <details open={open}>
        <summary className="card-head">
          <strong>Training set #{set.number}</strong>
          <span className="badge">{formatCount(set.exampleCount)} examples</span>
          <span className="muted small">
            {formatCount(set.trainCount)} training · {formatCount(set.validationCount)} validation (
            {formatRate(statistics.validationShare)}) · version{' '}
            {set.modelVersionNumber ? `v${set.modelVersionNumber}` : '—'} · {formatDateTime(set.createdAt)}
          </span>
        </summary>
        {set.warnings.length ? (
          <ul className="state state-warning" aria-label="Warnings">
            {set.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        ) : null}
        <p className="small">
          Settings: quality ≥ {settings.minQuality ?? '—'} · personal data{' '}
          {settings.maskPersonalData === false
            ? 'not masked'
            : `masked (${formatCount(statistics.maskedValues)} values)`}{' '}
          · thumbs-up replies{' '}
          {settings.includeThumbsUp
            ? `included (satisfaction ≥ ${settings.minImplicitSatisfaction ?? 0.8})`
            : 'left out'}
        </p>
        <p className="small">
          Tokens: {formatCount(statistics.tokens.total)} in all, {formatCount(statistics.tokens.trained)} in the trained
          replies, {formatCount(statistics.tokens.perExampleMean)} per example on average.
        </p>
        <div className="table-scroll">
          <table aria-label={`Estimated training cost of set #${set.number}`}>
            <thead>
              <tr>
                <th>Provider</th>
                <th>Model</th>
                <th className="num">Price per 1M tokens</th>
                <th className="num">Epochs</th>
                <th className="num">Estimated cost</th>
              </tr>
            </thead>
            <tbody>
              {statistics.estimatedCost.map((cost) => (
                <tr key={cost.model}>
                  <td>{cost.format === 'gemini' ? 'Gemini (Vertex AI)' : 'OpenAI'}</td>
                  <td>{cost.model}</td>
                  <td className="num">{formatUsd(cost.pricePerMillion)}</td>
                  <td className="num">{cost.epochs}</td>
                  <td className="num">{formatUsd(cost.usd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Counts title="By topic" counts={statistics.byTopic} total={statistics.examples} />
        <Counts title="By category" counts={statistics.byCategory} total={statistics.examples} />
        <Counts title="By source" counts={statistics.bySource} total={statistics.examples} />
        <h3 className="small">Filtered out</h3>
        {filtered.length === 0 ? (
          <p className="muted small">Nothing was filtered out.</p>
        ) : (
          <ul className="small" aria-label="Filtered out">
            {filtered.map((row) => (
              <li key={row.name}>
                {row.name}: {formatCount(row.count)}
              </li>
            ))}
          </ul>
        )}
        <div className="row" role="group" aria-label="Download files">
          {(['openai', 'gemini'] as const).map((format) =>
            (['train', 'validation'] as const).map((split) => (
              <button
                key={`${format}-${split}`}
                type="button"
                disabled={busy || (split === 'validation' && set.validationCount === 0)}
                onClick={() => download(format, split)}
              >
                {format === 'openai' ? 'OpenAI' : 'Gemini'} {split} JSONL
              </button>
            )),
          )}
        </div>
        {saved ? (
          <p className="state state-ok" role="status">
            {saved}
          </p>
        ) : null}
        {error ? <ErrorNotice error={error} /> : null}
      </details>
    </li>
  );
}
