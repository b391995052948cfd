import fs from 'node:fs';
import path from 'node:path';

/** One customer request from the Bitext customer-support sample. */
export interface CorpusRequest {
  instruction: string;
  intent: string;
  response: string;
}

/** Written for benchmarks that must run anywhere: used when the shared dataset is not on this machine. */
const FALLBACK: CorpusRequest[] = [
  { instruction: 'How long does delivery take?', intent: 'delivery_period', response: 'Standard delivery takes 3–5 business days.' },
  { instruction: 'I want to cancel order 113542617735902', intent: 'cancel_order', response: 'I can help you cancel that order.' },
  { instruction: 'can you help me change the shipping address of my purchase and tell me when it arrives and what it costs?', intent: 'change_shipping_address', response: 'Sure, let me help.' },
  { instruction: 'i need to speak with a real person', intent: 'contact_human_agent', response: 'Let me connect you.' },
  { instruction: 'What payment methods do you accept?', intent: 'check_payment_methods', response: 'We accept cards and PayPal.' },
];

/** Default location: the shared datasets folder next to the project root. */
export function defaultCorpusPath(): string {
  return path.resolve(process.cwd(), '../shared/datasets/customer-support-train.csv');
}

/** Reads the CSV (RFC 4180: quoted fields may hold commas, quotes and newlines); falls back to a small built-in sample. */
export function loadCorpus(file: string): { requests: CorpusRequest[]; source: string } {
  if (!fs.existsSync(file)) return { requests: FALLBACK, source: `built-in sample (${file} not found)` };
  const rows = parseCsv(fs.readFileSync(file, 'utf8'));
  const header = rows.shift() ?? [];
  const column = (name: string) => header.indexOf(name);
  const [instruction, intent, response] = [column('instruction'), column('intent'), column('response')];
  if (instruction < 0 || intent < 0 || response < 0) throw new Error(`${file} lacks the instruction, intent and response columns`);
  const requests = rows
    .filter((row) => row[instruction]?.trim())
    .map((row) => ({ instruction: row[instruction]!, intent: row[intent] ?? '', response: row[response] ?? '' }));
  return { requests, source: `${file} (${requests.length} requests)` };
}

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (character === '"') quoted = false;
      else field += character;
    } else if (character === '"') quoted = true;
    else if (character === ',') {
      row.push(field);
      field = '';
    } else if (character === '\n' || character === '\r') {
      if (character === '\r' && text[index + 1] === '\n') index += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += character;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
