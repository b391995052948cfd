import { createHash } from 'node:crypto';
import type { Content } from '@google/genai';
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionSystemMessageParam,
  ChatCompletionUserMessageParam,
} from 'openai/resources/chat/completions';
import type { TrainingExample, TrainingMessage } from '../../db/entities';

export const TRAINING_FORMATS = ['openai', 'gemini'] as const;
export type TrainingFormat = (typeof TRAINING_FORMATS)[number];

/** Per cent of examples in the validation file. */
export const VALIDATION_PERCENT = 20;

/**
 * Train or validation, by SHA-1 of the example id (first 32 bits, modulo 100 <
 * 20 → validation). Depends on the id alone, so an example never moves when
 * others are added, removed or reordered.
 */
export function splitOf(exampleId: string): 'train' | 'validation' {
  const digest = createHash('sha1').update(`training-split\u0000${exampleId}`).digest();
  return digest.readUInt32BE(0) % 100 < VALIDATION_PERCENT ? 'validation' : 'train';
}

/** One line of OpenAI's chat fine-tuning file (the SDK's message params; `weight` only on assistant messages). */
export interface OpenAiTrainingLine {
  messages: Array<
    | ChatCompletionSystemMessageParam
    | ChatCompletionUserMessageParam
    | (ChatCompletionAssistantMessageParam & { weight?: 0 | 1 })
  >;
}

/** One line of Vertex AI supervised tuning for Gemini: `systemInstruction` and alternating user/model `contents`. */
export interface GeminiTrainingLine {
  systemInstruction?: Content;
  contents: Content[];
}

export function openAiLine(example: TrainingExample): OpenAiTrainingLine {
  return {
    messages: example.messages.map((message) => {
      if (message.role === 'assistant')
        return message.weight === undefined
          ? { role: 'assistant' as const, content: message.content }
          : { role: 'assistant' as const, content: message.content, weight: message.weight };
      return { role: message.role, content: message.content };
    }),
  };
}

/**
 * Gemini has no per-message weight: only the last model turn is the target,
 * earlier model turns stay as context. Consecutive messages of one role are
 * joined (Vertex expects user and model to alternate, starting with user).
 */
export function geminiLine(example: TrainingExample): GeminiTrainingLine {
  const system = example.messages.filter((message) => message.role === 'system');
  const contents: Content[] = [];
  let previous: TrainingMessage['role'] | null = null;
  for (const message of example.messages) {
    if (message.role === 'system') continue;
    const role = message.role === 'assistant' ? 'model' : 'user';
    const last = contents.at(-1);
    if (last && previous !== null && last.role === role) {
      last.parts = [{ text: `${last.parts?.[0]?.text ?? ''}\n\n${message.content}` }];
    } else {
      if (!contents.length && role === 'model') continue; // must start with the customer
      contents.push({ role, parts: [{ text: message.content }] });
    }
    previous = message.role;
  }
  const line: GeminiTrainingLine = { contents };
  if (system.length)
    line.systemInstruction = {
      role: 'system',
      parts: [{ text: system.map((message) => message.content).join('\n\n') }],
    };
  return line;
}

/** JSONL (one JSON object per line, newline-terminated) of the examples in `format`. */
export function renderJsonl(examples: readonly TrainingExample[], format: TrainingFormat): string {
  const render = format === 'openai' ? openAiLine : geminiLine;
  return examples.map((example) => `${JSON.stringify(render(example))}\n`).join('');
}
