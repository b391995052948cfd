// npm install's prepare step: build the admin console into web/dist. Without the
// dev dependencies (npm install --omit=dev) there is no Vite: say so and let the
// install succeed; /admin then answers 503 with the command to run.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
let vite;
try {
  // bin/ is not in Vite's exports map: resolve its package.json and go from there.
  vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
} catch {
  console.warn(
    'parley: Vite is not installed (dev dependencies omitted); the admin console is not built. Run npm install, then npm run web:build.',
  );
  process.exit(0);
}
const result = spawnSync(process.execPath, [vite, 'build', 'web', '--logLevel', 'warn'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
