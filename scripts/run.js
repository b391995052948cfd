#!/usr/bin/env node
'use strict';
/**
 * Runs a compiled entry point, building first only when the sources changed:
 *
 *   node scripts/run.js src/cli/chat [arguments…]     (what `npm run chat` calls)
 *   node scripts/run.js --build                        (what `npm run build` calls: always compiles)
 *
 * `tsc` takes 15–90 s here, so it runs only when a content hash of the
 * TypeScript sources (and tsconfig files) differs from the one stamped in
 * dist/ by the last successful build. The check reads about 300 files and
 * takes a few milliseconds. Two commands starting at once build once: the
 * second waits on a lock folder. The entry then runs in this process, as the
 * main module, so signals, exit codes and `require.main === module` behave as
 * with `node dist/<entry>.js`.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const Module = require('node:module');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const stampFile = path.join(dist, '.build-stamp');
const lockDir = path.join(root, '.build-lock');
const SOURCE_DIRS = ['src', 'schema', 'channels', 'bench'];
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json', 'mikro-orm.config.ts'];

/** A hash of every compiled input: paths and contents. */
function sourceHash() {
  const hash = crypto.createHash('sha1');
  const files = [...SOURCE_FILES];
  const walk = (relative) => {
    for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = path.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (/\.(ts|json)$/.test(entry.name)) files.push(child);
    }
  };
  for (const dir of SOURCE_DIRS) if (fs.existsSync(path.join(root, dir))) walk(dir);
  for (const file of files.sort()) {
    const full = path.join(root, file);
    if (!fs.existsSync(full)) continue;
    hash.update(file).update('\0').update(fs.readFileSync(full)).update('\0');
  }
  return hash.digest('hex');
}

function readStamp() {
  try {
    return fs.readFileSync(stampFile, 'utf8').trim();
  } catch {
    return null;
  }
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Holds the build lock while `work` runs; a lock older than 10 minutes belongs to a dead build. */
function withLock(work) {
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const age = Date.now() - (fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 600_000) fs.rmSync(lockDir, { recursive: true, force: true });
      else sleep(250);
    }
  }
  try {
    return work();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

function compile(reason) {
  process.stderr.write(`parley: ${reason}; compiling with tsc (once, until the sources change)…\n`);
  const started = Date.now();
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  // Incremental: a rebuild after a small change re-checks and re-emits only what it affects.
  const args = [
    tsc,
    '-p',
    path.join(root, 'tsconfig.build.json'),
    '--incremental',
    '--tsBuildInfoFile',
    path.join(dist, '.tsbuildinfo'),
  ];
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) {
    process.stderr.write(
      'parley: the build failed (errors above); fix them, or run npm run typecheck for the full list.\n',
    );
    process.exit(1);
  }
  process.stderr.write(`parley: built in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
}

/** Compiles when the sources differ from the last build (or `force`); returns the current hash. */
function ensureBuilt({ force = false } = {}) {
  const hash = sourceHash();
  if (!force && readStamp() === hash) return hash;
  return withLock(() => {
    // Someone else may have built while this process waited for the lock.
    const current = sourceHash();
    if (!force && readStamp() === current) return current;
    compile(force ? 'building' : readStamp() ? 'sources changed since the last build' : 'no build yet');
    fs.mkdirSync(dist, { recursive: true });
    fs.writeFileSync(stampFile, `${current}\n`);
    return current;
  });
}

module.exports = { ensureBuilt, sourceHash };

if (require.main === module) {
  const [entry, ...rest] = process.argv.slice(2);
  if (!entry || entry === '--help') {
    process.stdout.write('Usage: node scripts/run.js <entry, e.g. src/cli/chat> [arguments…] | --build\n');
    process.exit(entry ? 0 : 2);
  }
  if (entry === '--build') {
    ensureBuilt({ force: true });
    process.exit(0);
  }
  const target = path.join(dist, `${entry.replace(/\.(ts|js)$/, '')}.js`);
  ensureBuilt();
  if (!fs.existsSync(target)) {
    process.stderr.write(
      `parley: ${path.relative(root, target)} does not exist after the build: is "${entry}" an entry point under src/, schema/ or bench/?\n`,
    );
    process.exit(2);
  }
  process.argv = [process.argv[0], target, ...rest];
  // Runs the entry as the main module (require.main === its module), exactly like `node dist/<entry>.js`.
  Module.runMain(target);
}
