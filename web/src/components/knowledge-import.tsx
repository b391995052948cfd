import { useState, type FormEvent } from 'react';
import { useMutation } from '../api/hooks';
import { IMPORT_KNOWLEDGE_ARTICLES } from '../api/knowledge-operations';
import { formatCount } from '../lib/format';
import { ErrorNotice } from './states';

/** Imports a CSV or JSONL file (read in the browser, sent as text); re-importing skips unchanged rows. */
export function KnowledgeImport({ onImported }: { onImported: () => void }) {
  const [content, setContent] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [format, setFormat] = useState<'CSV' | 'JSONL'>('CSV');
  const importer = useMutation(IMPORT_KNOWLEDGE_ARTICLES);
  const [summary, setSummary] = useState<string | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setSummary(null);
    const result = await importer.run({ input: { content, format } });
    if (result) {
      const answer = result.importKnowledgeArticles;
      const reasons = answer.skippedReasons.map((entry) => `${entry.reason} (${entry.count})`).join('; ');
      setSummary(
        `${formatCount(answer.rows)} rows: ${formatCount(answer.added)} added, ${formatCount(answer.updated)} updated, ` +
          `${formatCount(answer.skipped)} skipped${reasons ? ` — ${reasons}` : ''}.`,
      );
      onImported();
    }
  }
  return (
    <form className="panel form" onSubmit={submit} aria-label="Import articles">
      <h2>Import</h2>
      <p className="muted small">
        CSV with <code>question</code>, <code>answer</code> and optional <code>topic</code> columns, or JSONL with those
        fields. Unchanged rows are skipped, so importing again is harmless.
      </p>
      <label htmlFor="kb-file">File</label>
      <input
        id="kb-file"
        type="file"
        accept=".csv,.jsonl,.json,text/csv"
        onChange={async (event) => {
          const file = event.target.files?.[0];
          if (!file) return;
          setFileName(file.name);
          setFormat(/\.jsonl?$/i.test(file.name) ? 'JSONL' : 'CSV');
          setContent(await file.text());
        }}
      />
      <label htmlFor="kb-import-text">…or paste the rows</label>
      <textarea
        id="kb-import-text"
        rows={3}
        value={content}
        onChange={(event) => {
          setContent(event.target.value);
          setFileName(null);
        }}
        placeholder={'question,answer,topic\n"Do you gift-wrap?","Yes, for $3.",extras'}
      />
      <div className="row">
        <label>
          Format{' '}
          <select value={format} onChange={(event) => setFormat(event.target.value as 'CSV' | 'JSONL')}>
            <option value="CSV">CSV</option>
            <option value="JSONL">JSONL</option>
          </select>
        </label>
        <button type="submit" className="primary" disabled={importer.pending || !content.trim()}>
          {importer.pending ? `Importing${fileName ? ` ${fileName}` : ''}…` : 'Import'}
        </button>
      </div>
      {importer.pending ? <progress aria-label="Import progress" /> : null}
      {summary ? (
        <p className="state state-ok" role="status">
          {summary}
        </p>
      ) : null}
      {importer.error ? <ErrorNotice error={importer.error} /> : null}
    </form>
  );
}
