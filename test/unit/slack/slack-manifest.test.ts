import fs from 'node:fs';
import path from 'node:path';
import { SLACK_EVENTS_PATH } from '../../../channels/slack/slack-app';
import { CORRECT_SHORTCUT } from '../../../channels/slack/slack-review';

/** The manifest a workspace admin pastes must match what the code listens for. */
describe('Slack app manifest', () => {
  const manifest = fs.readFileSync(path.join(__dirname, '../../../channels/slack/manifest.yml'), 'utf8');

  it('points events, interactivity and the slash command at the route the app mounts', () => {
    const urls = [...manifest.matchAll(/(?:url|request_url): (\S+)/g)].map((match) => match[1]);
    expect(urls).toHaveLength(3);
    for (const url of urls) expect(url).toBe(`https://parley.example.com${SLACK_EVENTS_PATH}`);
  });

  it('declares the shortcut, the /parley command and the scopes the handlers use', () => {
    expect(manifest).toContain(`callback_id: ${CORRECT_SHORTCUT}`);
    expect(manifest).toMatch(/name: Correct this reply\n\s+type: message/);
    expect(manifest).toMatch(/command: \/parley/);
    expect(manifest).toContain('usage_hint: "status | handoffs | help"');
    for (const scope of ['chat:write', 'channels:history', 'groups:history', 'users:read', 'commands'])
      expect(manifest).toMatch(new RegExp(`- ${scope}\\b`));
    expect(manifest).toMatch(/bot_events:\n\s+- message\.channels\n\s+- message\.groups/);
    expect(manifest).toMatch(/interactivity:\n\s+is_enabled: true/);
  });
});
