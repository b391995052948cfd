import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { settings } from '../../../src/config';
import { execForm, readDockerfile } from '../../helpers/dockerfile';

const root = path.resolve(__dirname, '../../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

interface ComposeService {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  healthcheck?: { test: string[] };
  volumes?: string[];
}

/**
 * No Docker engine runs where parley is developed, so the deployment files are
 * checked here for what can be checked without one; built-service.test.ts runs
 * the image's command on a build of the checkout.
 */
describe('Dockerfile', () => {
  const instructions = readDockerfile(read('Dockerfile'));
  const last = Math.max(...instructions.map((instruction) => instruction.stage));
  const final = instructions.filter((instruction) => instruction.stage === last);

  it('is multi-stage: the runtime copies the build from a build stage', () => {
    expect(last).toBeGreaterThanOrEqual(1);
    const copies = final.filter(
      (instruction) => instruction.keyword === 'COPY' && instruction.args.startsWith('--from=build'),
    );
    const sources = copies.map((copy) => copy.args.split(/\s+/)[1]);
    expect(sources).toEqual(
      expect.arrayContaining([
        '/app/node_modules',
        '/app/dist',
        '/app/web/dist',
        '/app/docs/runbooks',
        '/app/package.json',
      ]),
    );
    // Every copied path exists in a checkout (dist/ and web/dist/ once built).
    for (const source of sources.filter((source) => !/\/(dist|node_modules)$/.test(source)))
      expect(fs.existsSync(path.join(root, source.replace(/^\/app\//, '')))).toBe(true);
  });

  it('builds with npm ci and npm run build, then drops the dev dependencies', () => {
    const runs = instructions.filter((instruction) => instruction.keyword === 'RUN').map((run) => run.args);
    expect(runs.join('\n')).toMatch(/npm ci/);
    expect(runs.join('\n')).toMatch(/npm run build/);
    expect(runs.join('\n')).toMatch(/npm prune --omit=dev/);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.build).toBe('node scripts/run.js --build');
  });

  it('runs as a non-root user', () => {
    const user = final.filter((instruction) => instruction.keyword === 'USER').at(-1);
    expect(user?.args).toBeDefined();
    expect(['root', '0']).not.toContain(user!.args);
  });

  it('starts node dist/src/main.js and checks /healthz', () => {
    const cmd = final.find((instruction) => instruction.keyword === 'CMD');
    expect(execForm(cmd!.args)).toEqual(['node', 'dist/src/main.js']);
    const health = final.find((instruction) => instruction.keyword === 'HEALTHCHECK');
    expect(health?.args).toContain('/healthz');
    expect(execForm(health!.args)[0]).toBe('node');
  });

  it('sets only real settings in its environment', () => {
    const env = final
      .filter((instruction) => instruction.keyword === 'ENV')
      .flatMap((instruction) => instruction.args.split(/\s+/));
    const names = env.map((pair) => pair.split('=')[0]);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(Object.keys(settings)).toContain(name);
  });
});

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml')) as { services: Record<string, ComposeService>; volumes: object };

  it('parses, with PostgreSQL and parley built from this directory', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['parley', 'postgres']);
    expect(compose.services.postgres.image).toMatch(/^postgres:\d+/);
    expect(compose.services.parley.build).toBe('.');
    expect(compose.services.parley.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(compose.services.postgres.healthcheck?.test.join(' ')).toContain('pg_isready');
  });

  it("points parley at the compose PostgreSQL with the service's own credentials", () => {
    const postgres = compose.services.postgres.environment!;
    const url = new URL(compose.services.parley.environment!.DATABASE_URL);
    expect(url.hostname).toBe('postgres');
    expect(decodeURIComponent(url.username)).toBe(postgres.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(postgres.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${postgres.POSTGRES_DB}`);
  });

  it('sets only real settings, and the ones production requires', () => {
    const environment = compose.services.parley.environment!;
    for (const name of Object.keys(environment)) expect(Object.keys(settings)).toContain(name);
    expect(environment.NODE_ENV).toBe('production');
    expect(environment.PARLEY_SECRET_KEY).toMatch(/^\$\{PARLEY_SECRET_KEY:\?/);
    expect(environment.PUBLIC_BASE_URL).toBeDefined();
  });

  it('keeps the state in named volumes and publishes the Dockerfile port', () => {
    expect(Object.keys(compose.volumes).sort()).toEqual(['parley-data', 'postgres-data']);
    expect(compose.services.parley.volumes).toContain('parley-data:/app/.parley');
    expect(compose.services.parley.ports).toContain('3000:3000');
  });
});
