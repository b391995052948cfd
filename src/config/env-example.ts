import { settingAreas } from './index';
import type { Setting } from './setting';

/** The heading of each area's block in .env.example (the area's settings live in src/config/<area>.ts). */
const AREA_TITLES: Record<keyof typeof settingAreas, string> = {
  server: 'Server',
  storage: 'Storage and secrets',
  'control-plane': 'Control plane (GraphQL, console, feedback)',
  providers: 'Model providers',
  engine: 'Conversation engine and knowledge base',
  channels: 'Channels (WhatsApp, Slack)',
  alerts: 'Alerting',
};

const HEADER = [
  '# parley settings. Copy to .env (or set them in the environment; the real environment wins).',
  '# Every line is commented out: the value shown is the default, or empty when there is none.',
  '# docs/configuration.md explains each one. A bad value stops start-up with a line naming the variable.',
  '# Production needs at least NODE_ENV=production, DATABASE_URL, PARLEY_SECRET_KEY and PUBLIC_BASE_URL.',
];

/**
 * The text of .env.example, generated from the settings (`npm run env:example` writes it; a unit test
 * checks the committed file): one block per area in `settingAreas` order, each setting as its
 * expectation and a commented-out `NAME=default` line.
 */
export function renderEnvExample(): string {
  const lines = [...HEADER];
  for (const [area, areaSettings] of Object.entries(settingAreas) as Array<
    [keyof typeof settingAreas, Record<string, Setting>]
  >) {
    lines.push('', `# ── ${AREA_TITLES[area]} (src/config/${area}.ts) ──`);
    for (const [name, setting] of Object.entries(areaSettings)) {
      lines.push(`# ${setting.expectation}`, `# ${name}=${setting.default ?? ''}`);
    }
  }
  return lines.join('\n') + '\n';
}
