import { useState, type FormEvent } from 'react';
import { UPDATE_SLACK_SETTINGS, type SlackSettings, type SlackSettingsInput } from '../api/tenant-settings-operations';
import { parseList, parseOptionalNumber } from '../lib/channel-settings';
import { Field, SaveRow, useSettingsSave, SecretField } from './settings-fields';

const CHANNELS = [
  {
    name: 'handoffChannel',
    label: 'Handoff channel',
    help: 'Where handed-off conversations are posted for a human to take (a channel id such as C0123ABCD: channel details → About).',
  },
  {
    name: 'reviewChannel',
    label: 'Review channel',
    help: 'Bot replies to review: those voted not helpful, handoffs and a sample of the rest; reviewers correct them there.',
  },
  {
    name: 'oncallChannel',
    label: 'On-call channel',
    help: "Alerts of this tenant's rules (the Alerts page routes severities to Slack).",
  },
] as const;

type ChannelName = (typeof CHANNELS)[number]['name'];

/** Slack channels, approvers, review sampling, idle release and the tenant's own bot token (write-only). */
export function SlackSettingsForm({ initial }: { initial: SlackSettings }) {
  const [stored, setStored] = useState(initial);
  const [channels, setChannels] = useState<Record<ChannelName, string>>({
    handoffChannel: initial.handoffChannel ?? '',
    reviewChannel: initial.reviewChannel ?? '',
    oncallChannel: initial.oncallChannel ?? '',
  });
  const [approvers, setApprovers] = useState(initial.approvers.join(', '));
  const [idle, setIdle] = useState(String(initial.idleReleaseMinutes));
  const [sample, setSample] = useState(String(initial.reviewSampleRate));
  const [token, setToken] = useState('');
  const saving = useSettingsSave('slack', UPDATE_SLACK_SETTINGS);

  async function send(input: SlackSettingsInput, localErrors: Record<string, string> = {}) {
    const result = await saving.save({ input }, { localErrors });
    if (result) {
      const next = result.updateSlackSettings;
      setStored(next);
      setChannels({
        handoffChannel: next.handoffChannel ?? '',
        reviewChannel: next.reviewChannel ?? '',
        oncallChannel: next.oncallChannel ?? '',
      });
      setApprovers(next.approvers.join(', '));
      setIdle(String(next.idleReleaseMinutes));
      setSample(String(next.reviewSampleRate));
      setToken('');
    }
  }
  async function submit(event: FormEvent) {
    event.preventDefault();
    const localErrors: Record<string, string> = {};
    const idleMinutes = parseOptionalNumber(idle);
    const sampleRate = parseOptionalNumber(sample);
    if (idleMinutes === 'invalid') localErrors.idleReleaseMinutes = 'Enter whole minutes (0 = never)';
    if (sampleRate === 'invalid') localErrors.reviewSampleRate = 'Enter a share between 0 and 1';
    const input: SlackSettingsInput = {};
    for (const { name } of CHANNELS) {
      const next = channels[name].trim() || null;
      if (next !== stored[name]) input[name] = next;
    }
    const approverList = parseList(approvers);
    if (approverList.join() !== stored.approvers.join()) input.approvers = approverList.length ? approverList : null;
    if (idleMinutes !== 'invalid' && idleMinutes !== stored.idleReleaseMinutes) input.idleReleaseMinutes = idleMinutes;
    if (sampleRate !== 'invalid' && sampleRate !== stored.reviewSampleRate) input.reviewSampleRate = sampleRate;
    if (token.trim()) input.botToken = token.trim();
    await send(input, localErrors);
  }
  async function clearToken() {
    if (!window.confirm("Clear this tenant's Slack bot token? parley then posts with the service-wide bot.")) return;
    await send({ botToken: null });
  }
  return (
    <form className="panel form" onSubmit={submit} aria-label="Slack">
      <h2>Slack</h2>
      <p className="muted small">
        Where human agents work: handoffs, reviews and alerts go to these channels. Empty a field to go back to its
        default.
      </p>
      <div className="grid-2 tight">
        {CHANNELS.map((channel) => (
          <Field
            key={channel.name}
            id={`slack-${channel.name}`}
            label={channel.label}
            help={channel.help}
            error={saving.errors[channel.name]}
          >
            {(props) => (
              <input
                {...props}
                value={channels[channel.name]}
                onChange={(event) => setChannels({ ...channels, [channel.name]: event.target.value })}
                placeholder="C0123ABCD"
              />
            )}
          </Field>
        ))}
        <Field
          id="slack-approvers"
          label="Approvers (Slack user ids, comma-separated)"
          help="Who may Approve or Reject corrections from Slack (U0123ABCD: profile → ⋯ → Copy member ID)."
          error={saving.errors.approvers}
        >
          {(props) => (
            <input
              {...props}
              value={approvers}
              onChange={(event) => setApprovers(event.target.value)}
              placeholder="U0123ABCD"
            />
          )}
        </Field>
        <Field
          id="slack-idle"
          label="Idle release (minutes)"
          help="A handed-off conversation with no message for this long goes back to the bot; 0 never releases it. Default 30."
          error={saving.errors.idleReleaseMinutes}
        >
          {(props) => (
            <input {...props} inputMode="numeric" value={idle} onChange={(event) => setIdle(event.target.value)} />
          )}
        </Field>
        <Field
          id="slack-sample"
          label="Review sample (share, 0–1)"
          help="Share of the other bot replies also sent to the review channel, e.g. 0.1 = 10 %. Default 0.1."
          error={saving.errors.reviewSampleRate}
        >
          {(props) => (
            <input {...props} inputMode="decimal" value={sample} onChange={(event) => setSample(event.target.value)} />
          )}
        </Field>
      </div>
      <SecretField
        id="slack-token"
        label="Bot token"
        help="The tenant's own Slack app bot token (xoxb-…, from OAuth & Permissions), stored encrypted and never shown again; without one parley posts with the service-wide bot."
        error={saving.errors.botToken}
        isSet={stored.botTokenSet}
        value={token}
        onChange={setToken}
        onClear={clearToken}
        disabled={saving.pending}
      />
      <SaveRow label="Save Slack" state={saving} />
    </form>
  );
}
