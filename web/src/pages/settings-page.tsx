import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '../api/hooks';
import {
  SET_TENANT_SECRETS,
  TENANT_SETTINGS,
  UPDATE_TENANT_SETTINGS,
  type FeedbackPromptFrequency,
  type TenantSettings,
} from '../api/operations';
import { ChannelSettings } from '../components/channel-settings';
import { ErrorNotice, QueryView } from '../components/states';
import { formatDateTime } from '../lib/format';
import { useSession } from '../session-context';

/**
 * Tenant settings (routing, feedback prompts, handoff, system prompt), the WhatsApp and Slack channels, and the
 * provider keys; API keys and the audit log are on the Access page.
 */
export function SettingsPage() {
  const state = useQuery(TENANT_SETTINGS);
  const session = useSession();
  return (
    <>
      <div className="page-head">
        <h1>Settings</h1>
      </div>
      <QueryView state={state}>
        {(data) => (
          <>
            <SettingsForm settings={data.tenantSettings} onSaved={state.reload} />
            <ChannelSettings />
            <SecretsForm secretsSet={data.tenantSettings.secretsSet} onSaved={state.reload} />
            <section className="panel">
              <h2>This session</h2>
              <p>
                Signed in to <strong>{session.tenantName}</strong> with the key <code>{session.keyPrefix}…</code> (
                {session.keyName}); scopes {session.scopes?.join(', ')}. The session ends{' '}
                {formatDateTime(session.expiresAt)}.
              </p>
              <p className="muted small">
                Keys are created and revoked, and the audit log read, on the{' '}
                <a href="/admin/access">API keys &amp; audit</a> page.
              </p>
            </section>
          </>
        )}
      </QueryView>
    </>
  );
}

function SettingsForm({ settings, onSaved }: { settings: TenantSettings; onSaved: () => void }) {
  const [frequency, setFrequency] = useState<FeedbackPromptFrequency>(settings.feedbackPromptFrequency ?? 'SOMETIMES');
  const [every, setEvery] = useState(String(settings.feedbackPromptEvery ?? 3));
  const [handoffTarget, setHandoffTarget] = useState(settings.handoffTarget ?? '');
  const [systemPrompt, setSystemPrompt] = useState(settings.systemPrompt ?? '');
  const [cheapModel, setCheapModel] = useState(settings.routing.cheapModel ?? '');
  const [balancedModel, setBalancedModel] = useState(settings.routing.balancedModel ?? '');
  const [fallback, setFallback] = useState((settings.routing.fallbackOrder ?? []).join(', '));
  const [saved, setSaved] = useState(false);
  const update = useMutation(UPDATE_TENANT_SETTINGS);
  useEffect(
    () => setSaved(false),
    [frequency, every, handoffTarget, systemPrompt, cheapModel, balancedModel, fallback],
  );
  async function submit(event: FormEvent) {
    event.preventDefault();
    const fallbackOrder = fallback
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    const result = await update.run({
      input: {
        feedbackPromptFrequency: frequency,
        feedbackPromptEvery: Number(every),
        handoffTarget: handoffTarget.trim() || null,
        systemPrompt: systemPrompt.trim() || null,
        routing: {
          ...(cheapModel.trim() ? { cheapModel: cheapModel.trim() } : {}),
          ...(balancedModel.trim() ? { balancedModel: balancedModel.trim() } : {}),
          ...(fallbackOrder.length ? { fallbackOrder } : {}),
        },
      },
    });
    if (result) {
      setSaved(true);
      onSaved();
    }
  }
  return (
    <form className="panel form" onSubmit={submit}>
      <h2>Bot behaviour</h2>
      <p className="muted small">Last changed {formatDateTime(settings.updatedAt)}.</p>
      <label htmlFor="frequency">Feedback prompts (helpful / not helpful buttons)</label>
      <select
        id="frequency"
        value={frequency}
        onChange={(event) => setFrequency(event.target.value as FeedbackPromptFrequency)}
      >
        <option value="ALWAYS">Under every reply</option>
        <option value="SOMETIMES">Sometimes</option>
        <option value="NEVER">Never</option>
      </select>
      {frequency === 'SOMETIMES' ? (
        <>
          <label htmlFor="every">Every n-th reply</label>
          <input
            id="every"
            type="number"
            min={1}
            max={100}
            value={every}
            onChange={(event) => setEvery(event.target.value)}
          />
        </>
      ) : null}
      <label htmlFor="handoff">Handoff target (Slack channel id)</label>
      <input
        id="handoff"
        value={handoffTarget}
        onChange={(event) => setHandoffTarget(event.target.value)}
        placeholder="C0123456789"
      />
      <label htmlFor="prompt">System prompt</label>
      <textarea id="prompt" rows={4} value={systemPrompt} onChange={(event) => setSystemPrompt(event.target.value)} />
      <h3>Routing</h3>
      <div className="grid-2 tight">
        <div>
          <label htmlFor="cheap">Cheap model</label>
          <input
            id="cheap"
            value={cheapModel}
            onChange={(event) => setCheapModel(event.target.value)}
            placeholder="default"
          />
        </div>
        <div>
          <label htmlFor="balanced">Balanced model</label>
          <input
            id="balanced"
            value={balancedModel}
            onChange={(event) => setBalancedModel(event.target.value)}
            placeholder="default"
          />
        </div>
      </div>
      <label htmlFor="fallback">Failover order (comma-separated model or provider ids)</label>
      <input
        id="fallback"
        value={fallback}
        onChange={(event) => setFallback(event.target.value)}
        placeholder="openai, gemini"
      />
      <div className="row">
        <button type="submit" className="primary" disabled={update.pending}>
          {update.pending ? 'Saving…' : 'Save settings'}
        </button>
        {saved ? (
          <span className="state-ok" role="status">
            Saved.
          </span>
        ) : null}
      </div>
      {update.error ? <ErrorNotice error={update.error} /> : null}
    </form>
  );
}

const SECRETS = [
  { name: 'openaiApiKey', label: 'OpenAI API key' },
  { name: 'geminiApiKey', label: 'Gemini API key' },
] as const;

/** Provider keys can be set or cleared, never read back (the channel tokens are in the channel forms above). */
function SecretsForm({ secretsSet, onSaved }: { secretsSet: string[]; onSaved: () => void }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const mutation = useMutation(SET_TENANT_SECRETS);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const input = Object.fromEntries(
      Object.entries(values)
        .filter(([, value]) => value.trim())
        .map(([name, value]) => [name, value.trim()]),
    );
    if (!Object.keys(input).length) return;
    if (await mutation.run({ input })) {
      setValues({});
      onSaved();
    }
  }
  async function clear(name: string) {
    if (!window.confirm(`Clear the ${name}? parley stops using it at once.`)) return;
    if (await mutation.run({ input: { [name]: null } })) onSaved();
  }
  return (
    <form className="panel form" onSubmit={submit}>
      <h2>Provider keys</h2>
      <p className="muted small">
        This tenant's own LLM provider keys, stored encrypted; without one the service-wide key is used.
      </p>
      {SECRETS.map((secret) => (
        <div key={secret.name} className="secret-row">
          <label htmlFor={secret.name}>
            {secret.label}{' '}
            {secretsSet.includes(secret.name) ? (
              <span className="badge badge-met">set</span>
            ) : (
              <span className="badge">not set</span>
            )}
          </label>
          <div className="row">
            <input
              id={secret.name}
              type="password"
              autoComplete="off"
              value={values[secret.name] ?? ''}
              onChange={(event) => setValues({ ...values, [secret.name]: event.target.value })}
              placeholder={secretsSet.includes(secret.name) ? 'replace…' : 'paste to set'}
            />
            {secretsSet.includes(secret.name) ? (
              <button type="button" className="danger" onClick={() => clear(secret.name)}>
                Clear
              </button>
            ) : null}
          </div>
        </div>
      ))}
      <button type="submit" className="primary" disabled={mutation.pending}>
        {mutation.pending ? 'Saving…' : 'Save provider keys'}
      </button>
      {mutation.error ? <ErrorNotice error={mutation.error} /> : null}
    </form>
  );
}
