import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '../api/hooks';
import { API_KEYS, CREATE_API_KEY, REVOKE_API_KEY, type ApiKeyRow } from '../api/access-operations';
import { AuditLogPanel } from '../components/audit-log-panel';
import { Empty, ErrorNotice, QueryView } from '../components/states';
import { createKeyProblem, keyState, revokeConsequences, scopeChoices, MAX_KEY_NAME_LENGTH } from '../lib/access';
import { formatAgo, formatDateTime } from '../lib/format';
import { useCan, useSession } from '../session-context';

/** The tenant's API keys (create with scopes, shown once; revoke with a confirmation) and the audit log. */
export function AccessPage() {
  const state = useQuery(API_KEYS);
  const [auditVersion, setAuditVersion] = useState(0);
  const changed = () => {
    state.reload();
    setAuditVersion((value) => value + 1);
  };
  return (
    <>
      <div className="page-head">
        <h1>API keys &amp; audit</h1>
      </div>
      <CreateKeyPanel onCreated={changed} />
      <section className="panel" aria-labelledby="keys-title">
        <h2 id="keys-title">Keys</h2>
        <QueryView state={state}>
          {(data) =>
            data.apiKeys.length === 0 ? (
              <Empty title="No keys yet.">Create one above for each program or person that uses the API.</Empty>
            ) : (
              <KeysTable keys={data.apiKeys} onRevoked={changed} />
            )
          }
        </QueryView>
      </section>
      <AuditLogPanel version={auditVersion} />
    </>
  );
}

function CreateKeyPanel({ onCreated }: { onCreated: () => void }) {
  const session = useSession();
  const choices = scopeChoices(session.scopes ?? []);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [shown, setShown] = useState<{ key: string; name: string } | null>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const create = useMutation(CREATE_API_KEY);
  const problem = createKeyProblem(name, scopes);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (problem) return;
    const result = await create.run({ name: name.trim(), scopes });
    if (!result) return;
    // Kept only in this component's memory: gone when the panel is dismissed or the page left, never in storage.
    setShown({ key: result.createApiKey.key, name: result.createApiKey.apiKey.name });
    setCopied(null);
    setName('');
    setScopes([]);
    onCreated();
  }
  async function copy() {
    if (!shown) return;
    try {
      await navigator.clipboard.writeText(shown.key);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  }
  function toggle(scope: string, on: boolean) {
    setScopes((current) => (on ? [...new Set([...current, scope])] : current.filter((entry) => entry !== scope)));
  }

  return (
    <section className="panel" aria-labelledby="create-key-title">
      <h2 id="create-key-title">Create a key</h2>
      {shown ? (
        <div className="state state-warning new-key" role="alert">
          <p>
            <strong>Store this key now: it is shown only once.</strong> parley keeps only a fingerprint of it; if it is
            lost, revoke it and create another.
          </p>
          <p className="row">
            <code className="secret" aria-label={`The new key “${shown.name}”`}>
              {shown.key}
            </code>
            <button type="button" onClick={copy}>
              Copy
            </button>
            {copied === 'yes' ? <span role="status">Copied.</span> : null}
            {copied === 'failed' ? <span role="status">Could not copy: select the key and copy it.</span> : null}
          </p>
          <button type="button" onClick={() => setShown(null)}>
            I have stored it
          </button>
        </div>
      ) : null}
      <form className="form" onSubmit={submit} aria-label="Create a key">
        <label htmlFor="key-name">Name (what or who will use it)</label>
        <input
          id="key-name"
          value={name}
          maxLength={MAX_KEY_NAME_LENGTH}
          placeholder="nightly BI export"
          onChange={(event) => setName(event.target.value)}
        />
        <fieldset>
          <legend>Scopes</legend>
          {choices.map((choice) => (
            <label key={choice.scope} className="check scope-check">
              <input
                type="checkbox"
                name="scope"
                value={choice.scope}
                checked={scopes.includes(choice.scope)}
                disabled={!choice.grantable}
                onChange={(event) => toggle(choice.scope, event.target.checked)}
              />
              <span>
                <code>{choice.scope}</code> <span className="muted small">{choice.label}</span>
                {choice.grantable ? null : (
                  <span className="muted small"> (your key lacks it, so it cannot give it)</span>
                )}
              </span>
            </label>
          ))}
        </fieldset>
        <div className="row">
          <button type="submit" className="primary" disabled={create.pending || problem !== null}>
            {create.pending ? 'Creating…' : 'Create key'}
          </button>
          {problem && (name || scopes.length) ? <span className="muted small">{problem}</span> : null}
        </div>
      </form>
      {create.error ? <ErrorNotice error={create.error} /> : null}
    </section>
  );
}

function KeysTable({ keys, onRevoked }: { keys: ApiKeyRow[]; onRevoked: () => void }) {
  const canManage = useCan('users:manage');
  const [pending, setPending] = useState<ApiKeyRow | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const revoke = useMutation(REVOKE_API_KEY);

  async function confirm(event: FormEvent) {
    event.preventDefault();
    if (!pending) return;
    const result = await revoke.run({ id: pending.id, confirmOwnKey: pending.current ? true : null });
    if (result) {
      setDone(`Revoked “${result.revokeApiKey.name}”: it is refused from now on.`);
      setPending(null);
      onRevoked();
    }
  }
  const consequences = pending ? revokeConsequences(pending) : null;
  return (
    <>
      {done ? (
        <p className="state state-ok" role="status">
          {done}
        </p>
      ) : null}
      {pending && consequences ? (
        <form className="confirm" role="alertdialog" aria-label="Confirm revocation" onSubmit={confirm}>
          <p>{consequences.message}</p>
          {consequences.warning ? <p className="state state-warning">{consequences.warning}</p> : null}
          <div className="row">
            <button type="submit" className="danger" disabled={revoke.pending} autoFocus>
              {revoke.pending ? 'Revoking…' : 'Revoke the key'}
            </button>
            <button type="button" onClick={() => setPending(null)}>
              Cancel
            </button>
          </div>
          {revoke.error ? <ErrorNotice error={revoke.error} /> : null}
        </form>
      ) : null}
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Scopes</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
              <th scope="col" aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => {
              const state = keyState(key);
              return (
                <tr key={key.id} aria-label={`Key ${key.name}`}>
                  <td>
                    {key.name} {key.current ? <span className="badge">this session</span> : null}
                  </td>
                  <td>
                    <code>{key.prefix}…</code>
                  </td>
                  <td>{key.scopes.join(', ')}</td>
                  <td>{formatDateTime(key.createdAt)}</td>
                  <td title={key.lastUsedAt ? formatDateTime(key.lastUsedAt) : undefined}>
                    {key.lastUsedAt ? formatAgo(key.lastUsedAt) : 'never'}
                  </td>
                  <td>
                    <span className={state === 'revoked' ? 'badge badge-retired' : 'badge badge-active'}>
                      {state === 'revoked' ? `revoked ${formatDateTime(key.revokedAt)}` : state}
                    </span>
                  </td>
                  <td>
                    {state !== 'revoked' && canManage ? (
                      <button
                        type="button"
                        className="danger"
                        aria-label={`Revoke ${key.name}`}
                        onClick={() => {
                          setDone(null);
                          setPending(key);
                        }}
                      >
                        Revoke…
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
