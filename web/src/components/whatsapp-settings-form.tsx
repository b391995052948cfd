import { useState, type FormEvent } from 'react';
import { UPDATE_WHATSAPP_SETTINGS, type WhatsAppSettings } from '../api/tenant-settings-operations';
import { parseList } from '../lib/channel-settings';
import { Field, SaveRow, useSettingsSave, SecretField } from './settings-fields';

/**
 * The tenant's WhatsApp binding (Twilio): the numbers customers write to, or a
 * Messaging Service, the tenant's own account and auth token (write-only), and
 * the completed-action keywords. A save replaces the stored binding.
 */
export function WhatsAppSettingsForm({ initial }: { initial: WhatsAppSettings | null }) {
  const [stored, setStored] = useState(initial);
  const [numbers, setNumbers] = useState((initial?.numbers ?? []).join('\n'));
  const [service, setService] = useState(initial?.messagingServiceSid ?? '');
  const [account, setAccount] = useState(initial?.accountSid ?? '');
  const [keywords, setKeywords] = useState((initial?.completedActionKeywords ?? []).join(', '));
  const [token, setToken] = useState('');
  const saving = useSettingsSave('whatsapp', UPDATE_WHATSAPP_SETTINGS);
  const tokenSet = stored?.authTokenSet ?? false;

  async function send(authToken: string | null | undefined) {
    const list = parseList(numbers);
    const result = await saving.save(
      {
        input: {
          numbers: list,
          messagingServiceSid: service.trim() || null,
          accountSid: account.trim() || null,
          completedActionKeywords: parseList(keywords, { spaces: false }),
          ...(authToken !== undefined ? { authToken } : {}),
        },
      },
      { sentNumbers: list.length > 0 },
    );
    if (result) {
      const next = result.updateWhatsAppSettings;
      setStored(next);
      setNumbers(next.numbers.join('\n'));
      setKeywords(next.completedActionKeywords.join(', '));
      setToken('');
    }
  }
  async function submit(event: FormEvent) {
    event.preventDefault();
    await send(token.trim() ? token.trim() : undefined);
  }
  async function clearToken() {
    if (!window.confirm('Clear the Twilio auth token? parley then uses the service-wide token for this account.'))
      return;
    await send(null);
  }
  return (
    <form className="panel form" onSubmit={submit} aria-label="WhatsApp">
      <h2>WhatsApp</h2>
      <p className="muted small">
        {stored
          ? 'Messages sent to these senders come to this tenant. Saving replaces the whole binding.'
          : 'Not connected yet: add the WhatsApp number (or Messaging Service) customers write to, then save.'}
      </p>
      <Field
        id="wa-numbers"
        label="Sender numbers (one per line)"
        help="The numbers customers write to, e.g. +14155238886; stored as Twilio sends them (whatsapp:+…). A number bound to another tenant is refused."
        error={saving.errors.numbers}
      >
        {(props) => (
          <textarea
            {...props}
            rows={2}
            value={numbers}
            onChange={(event) => setNumbers(event.target.value)}
            placeholder="+14155238886"
          />
        )}
      </Field>
      <Field
        id="wa-service"
        label="Messaging Service SID (optional)"
        help="MG… from Twilio: receive and send through a Messaging Service instead of (or as well as) the numbers."
        error={saving.errors.messagingServiceSid}
      >
        {(props) => (
          <input {...props} value={service} onChange={(event) => setService(event.target.value)} placeholder="MG…" />
        )}
      </Field>
      <Field
        id="wa-account"
        label="Twilio account SID (optional)"
        help="AC…: the tenant's own Twilio account; empty uses the service-wide TWILIO_ACCOUNT_SID."
        error={saving.errors.accountSid}
      >
        {(props) => (
          <input {...props} value={account} onChange={(event) => setAccount(event.target.value)} placeholder="AC…" />
        )}
      </Field>
      <SecretField
        id="wa-token"
        label="Twilio auth token"
        help="The account's auth token (at least 16 characters), stored encrypted and never shown again: paste a new one to replace it. It signs outgoing messages and checks Twilio's webhook signatures."
        error={saving.errors.authToken}
        isSet={tokenSet}
        value={token}
        onChange={setToken}
        onClear={clearToken}
        disabled={saving.pending}
      />
      <Field
        id="wa-keywords"
        label="Completed-action keywords (comma-separated)"
        help="Words in a customer's next message that mark the bot's reply as having helped (paid, ordered, booked…); they count towards the learning loop's implicit satisfaction."
        error={saving.errors.completedActionKeywords}
      >
        {(props) => (
          <input
            {...props}
            value={keywords}
            onChange={(event) => setKeywords(event.target.value)}
            placeholder="paid, ordered"
          />
        )}
      </Field>
      <SaveRow label="Save WhatsApp" state={saving} />
    </form>
  );
}
