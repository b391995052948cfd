import fs from 'node:fs';
import path from 'node:path';

export default async function globalTeardown(): Promise<void> {
  const embedded = globalThis.__parleyEmbedded;
  if (!embedded) return;
  await embedded.stop();
  fs.rmSync(path.dirname(embedded.dataDir), { recursive: true, force: true });
  fs.rmSync(`${embedded.dataDir}.password`, { force: true });
}
