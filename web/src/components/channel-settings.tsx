import { useQuery } from '../api/hooks';
import { SLACK_SETTINGS, WHATSAPP_SETTINGS } from '../api/tenant-settings-operations';
import { QueryView } from './states';
import { SlackSettingsForm } from './slack-settings-form';
import { WhatsAppSettingsForm } from './whatsapp-settings-form';

/** The Settings page's channel section: WhatsApp (Twilio) and Slack, each saved on its own. */
export function ChannelSettings() {
  const whatsApp = useQuery(WHATSAPP_SETTINGS);
  const slack = useQuery(SLACK_SETTINGS);
  return (
    <section aria-labelledby="channels-heading">
      <h2 id="channels-heading" className="section-title">
        Channels
      </h2>
      <QueryView state={whatsApp}>{(data) => <WhatsAppSettingsForm initial={data.whatsAppSettings} />}</QueryView>
      <QueryView state={slack}>{(data) => <SlackSettingsForm initial={data.slackSettings} />}</QueryView>
    </section>
  );
}
