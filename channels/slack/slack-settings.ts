// The Slack settings live in the core (src/tenants/slack-settings.ts) so the control plane can set them; the channel reads them from there.
export * from '../../src/tenants/slack-settings';
