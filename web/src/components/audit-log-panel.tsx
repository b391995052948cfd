import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { AUDIT_LOG, type AuditEntry } from '../api/access-operations';
import { useQuery } from '../api/hooks';
import {
  auditFilterFromForm,
  describeActor,
  describeAuditEntry,
  describeChange,
  describeTarget,
  EMPTY_AUDIT_FILTER,
  type AuditFilterForm,
  type AuditFilterVariables,
} from '../lib/access';
import { formatCount, formatDateTime } from '../lib/format';
import { Empty, QueryView } from './states';
import { Pager } from './pager';

const PAGE_SIZE = 20;

/** The tenant's audit log: filters (action, actor, target, time in the viewer's zone) and newer/older paging. */
export function AuditLogPanel({ version }: { version: number }) {
  const [form, setForm] = useState<AuditFilterForm>(EMPTY_AUDIT_FILTER);
  const [filter, setFilter] = useState<AuditFilterVariables | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [pages, setPages] = useState<(string | null)[]>([null]);
  const variables = useMemo(
    () => ({ filter, first: PAGE_SIZE, after: pages[pages.length - 1] ?? null }),
    [filter, pages],
  );
  const state = useQuery(AUDIT_LOG, variables);
  const { reload } = state;
  // A key created or revoked on this page is an audit entry: show it.
  const [seenVersion, setSeenVersion] = useState(version);
  useEffect(() => {
    if (version === seenVersion) return;
    setSeenVersion(version);
    reload();
  }, [version, seenVersion, reload]);

  function apply(event: FormEvent) {
    event.preventDefault();
    const result = auditFilterFromForm(form);
    setProblem(result.problem);
    if (result.problem) return;
    setFilter(result.filter);
    setPages([null]);
  }
  function clear() {
    setForm(EMPTY_AUDIT_FILTER);
    setFilter(null);
    setProblem(null);
    setPages([null]);
  }
  const field = (name: keyof AuditFilterForm) => ({
    id: `audit-${name}`,
    value: form[name],
    onChange: (event: { target: { value: string } }) => setForm({ ...form, [name]: event.target.value }),
  });

  return (
    <section className="panel" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <p className="muted small">
        Every change made through the API, the console, Slack, the CLI and scheduled jobs. Times are in your time zone.
      </p>
      <form className="filters" onSubmit={apply} aria-label="Audit log filters">
        <label htmlFor="audit-action">
          Action
          <input {...field('action')} placeholder="apikey or apikey.revoke" />
        </label>
        <label htmlFor="audit-actor">
          Actor
          <input {...field('actor')} placeholder="apikey:<id>, slack:U123, system:keys-cli" />
        </label>
        <label htmlFor="audit-target">
          Target
          <input {...field('target')} placeholder="ApiKey, Correction or an id" />
        </label>
        <label htmlFor="audit-from">
          From
          <input {...field('from')} type="datetime-local" />
        </label>
        <label htmlFor="audit-to">
          To
          <input {...field('to')} type="datetime-local" />
        </label>
        <div className="row">
          <button type="submit" className="primary">
            Filter
          </button>
          <button type="button" onClick={clear}>
            Clear
          </button>
        </div>
      </form>
      {problem ? (
        <p className="state state-error" role="alert">
          {problem}
        </p>
      ) : null}
      <QueryView state={state}>
        {(data) =>
          data.auditLog.nodes.length === 0 ? (
            <Empty title={filter ? 'No audit entries match these filters.' : 'Nothing audited yet.'}>
              {filter
                ? 'Widen the time range or clear a filter.'
                : 'Changes appear here as soon as anyone makes one: creating a key above is one.'}
            </Empty>
          ) : (
            <>
              <p className="muted small">
                {formatCount(data.auditLog.totalCount)} {data.auditLog.totalCount === 1 ? 'entry' : 'entries'}
              </p>
              <div className="table-scroll">
                <table aria-label="Audit log entries">
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Who</th>
                      <th scope="col">Action</th>
                      <th scope="col">Target</th>
                      <th scope="col">Change</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.auditLog.nodes.map((entry) => (
                      <AuditRow key={entry.id} entry={entry} />
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager pages={pages} setPages={setPages} pageInfo={data.auditLog.pageInfo} />
            </>
          )
        }
      </QueryView>
    </section>
  );
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const change = describeChange(entry.before, entry.after);
  return (
    <tr aria-label={describeAuditEntry(entry)}>
      <td>{formatDateTime(entry.createdAt)}</td>
      <td title={entry.actor}>{describeActor(entry)}</td>
      <td>
        <code>{entry.action}</code>
      </td>
      <td title={entry.targetId ?? undefined}>{describeTarget(entry)}</td>
      <td>
        {change.length ? (
          <ul className="audit-change">
            {change.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        ) : (
          '—'
        )}
      </td>
    </tr>
  );
}
