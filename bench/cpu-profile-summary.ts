import fs from 'node:fs';

/**
 * node scripts/run.js bench/cpu-profile-summary <file.cpuprofile> [top]
 *
 * Summarises a V8 CPU profile (`node --cpu-prof`, or `npm run bench:turns -- --profile`): self time by module
 * (npm package, parley's own folders, Node internals, GC) and the functions with the most self time. Idle time
 * is left out of the shares.
 */
interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package or folder a script belongs to. */
function moduleOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const packages = url.split('node_modules/');
  if (packages.length > 1) {
    const rest = packages[packages.length - 1]!.split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url.split('/')[0]!.replace(/^node:internal$/, 'node:internal');
  const own = /\/dist\/([^/]+\/[^/]+)/.exec(url);
  return own ? `parley ${own[1]}` : url;
}

function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error('usage: cpu-profile-summary <file.cpuprofile> [top]');
  const top = Number(process.argv[3] ?? '25');
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, index) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const functions = new Map<string, number>();
  const modules = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of self) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    total += micros;
    const where = frame.url
      ? `${frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, '')}:${frame.lineNumber + 1}`
      : '';
    const key = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    functions.set(key, (functions.get(key) ?? 0) + micros);
    const module = moduleOf(frame.url, frame.functionName);
    modules.set(module, (modules.get(module) ?? 0) + micros);
  }
  const share = (micros: number) => `${((100 * micros) / total).toFixed(1).padStart(5)} %`;
  const print = (title: string, entries: Map<string, number>) => {
    process.stdout.write(`${title}\n`);
    for (const [name, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top))
      process.stdout.write(`  ${share(micros)}  ${name}\n`);
  };
  process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s of busy samples\n`);
  print('self time by module:', modules);
  print('self time by function:', functions);
  // Native functions (socket writes, …) by who called them: the nearest ancestor in a package or parley's code.
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const callers = new Map<string, number>();
  for (const [id, micros] of self) {
    const frame = byId.get(id)!.callFrame;
    if (frame.url || frame.functionName.startsWith('(')) continue;
    let parent = parents.get(id);
    while (parent !== undefined && !/node_modules|\/dist\//.test(byId.get(parent)!.callFrame.url))
      parent = parents.get(parent);
    const caller = parent === undefined ? '(node internals only)' : moduleOf(byId.get(parent)!.callFrame.url, '');
    const key = `${frame.functionName} ← ${caller}`;
    callers.set(key, (callers.get(key) ?? 0) + micros);
  }
  print('native self time by calling package:', callers);
}

main();
