import fs from 'node:fs';
import path from 'node:path';
import { parseCsv } from '../src/learning/datasets/case-file';

/** One customer request from the Bitext customer-support sample. */
export interface CorpusRequest {
  instruction: string;
  intent: string;
  response: string;
}

/** The project root: the folder holding package.json, from this file (sources or dist/). */
export function projectRoot(): string {
  let folder = __dirname;
  while (!fs.existsSync(path.join(folder, 'package.json'))) {
    const parent = path.dirname(folder);
    if (parent === folder) throw new Error(`package.json not found above ${__dirname}`);
    folder = parent;
  }
  return folder;
}

/** Default location: the shared datasets folder beside the project root (`../shared/datasets`), whatever the working directory. */
export function defaultCorpusPath(): string {
  return path.resolve(projectRoot(), '..', 'shared', 'datasets', 'customer-support-train.csv');
}

/**
 * Reads the CSV (RFC 4180: quoted fields may hold commas, quotes and newlines).
 * A missing file stops the benchmark with a message saying where it looked:
 * figures measured on a stand-in would be silently wrong.
 */
export function loadCorpus(file: string): { requests: CorpusRequest[]; source: string } {
  if (!fs.existsSync(file)) {
    throw new Error(
      `The customer-support dataset is not at ${file}. Put the shared datasets folder beside the project (../shared/datasets) or pass --dataset <csv>.`,
    );
  }
  const rows = parseCsv(fs.readFileSync(file, 'utf8'));
  const header = rows.shift() ?? [];
  const column = (name: string) => header.indexOf(name);
  const [instruction, intent, response] = [column('instruction'), column('intent'), column('response')];
  if (instruction < 0 || intent < 0 || response < 0)
    throw new Error(`${file} lacks the instruction, intent and response columns`);
  const requests = rows
    .filter((row) => row[instruction]?.trim())
    .map((row) => ({ instruction: row[instruction]!, intent: row[intent] ?? '', response: row[response] ?? '' }));
  if (!requests.length) throw new Error(`${file} holds no requests`);
  return { requests, source: `${file} (${requests.length} requests)` };
}
