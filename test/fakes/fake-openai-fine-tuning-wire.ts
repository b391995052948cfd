/*
 * The fake OpenAI fine-tuning API's objects as it keeps them, and as they go on
 * the wire (`file`, `fine_tuning.job`, OpenAI's `{ error: {...} }`), with
 * OpenAI's training-file validation reduced to its core. The server is in
 * fake-openai-fine-tuning-server.ts.
 */

/** The endpoint groups a fault can be aimed at. */
export type FineTuningEndpoint = 'files' | 'create' | 'retrieve' | 'events' | 'cancel';

/** An HTTP error the next matching request gets (OpenAI's error body; 429 with Retry-After). */
export interface FineTuningFault {
  status: number;
  message?: string;
  /** Only requests to this endpoint group (default: any). */
  on?: FineTuningEndpoint;
}

/** A file as uploaded through `client.files.create` (multipart/form-data). */
export interface FakeFile {
  id: string;
  filename: string;
  purpose: string;
  bytes: number;
  content: string;
  createdAt: number;
}

/** A job as the fake keeps it; `status` follows OpenAI's values. */
export interface FakeFineTuningJob {
  id: string;
  model: string;
  suffix: string | null;
  trainingFile: string;
  validationFile: string | null;
  status: 'validating_files' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  createdAt: number;
  finishedAt: number | null;
  fineTunedModel: string | null;
  trainedTokens: number | null;
  error: { code: string; message: string; param: string | null } | null;
  events: Array<{ id: string; created_at: number; level: 'info' | 'warn' | 'error'; message: string; type: 'message' }>;
  /** Injected behaviour of this job. */
  fate: 'succeed' | 'fail' | 'stay-queued';
}

export const ORGANISATION = 'org-fake';

/** Which endpoint group a request is for, or null for a URL the API does not have. */
export function endpointOf(method: string, path: string): FineTuningEndpoint | null {
  if (path === '/v1/files' && method === 'POST') return 'files';
  if (/^\/v1\/files\/[^/]+$/.test(path) && method === 'GET') return 'files';
  if (path === '/v1/fine_tuning/jobs' && method === 'POST') return 'create';
  if (/^\/v1\/fine_tuning\/jobs\/[^/]+$/.test(path) && method === 'GET') return 'retrieve';
  if (/^\/v1\/fine_tuning\/jobs\/[^/]+\/events$/.test(path) && method === 'GET') return 'events';
  if (/^\/v1\/fine_tuning\/jobs\/[^/]+\/cancel$/.test(path) && method === 'POST') return 'cancel';
  return null;
}

/** OpenAI's checks of a chat fine-tuning file, reduced to their core: JSON lines with a `messages` list ending in an assistant turn. */
export function validateTrainingFile(content: string): string | null {
  const lines = content.split('\n').filter((line) => line.trim());
  if (lines.length < 10) return `Training file has ${lines.length} example(s), but must have at least 10 examples.`;
  for (const [index, line] of lines.entries()) {
    let example: { messages?: Array<{ role?: string; content?: unknown }> };
    try {
      example = JSON.parse(line) as typeof example;
    } catch {
      return `Line ${index + 1} is not valid JSON.`;
    }
    if (!Array.isArray(example.messages) || !example.messages.length) return `Line ${index + 1} has no messages.`;
    if (!example.messages.some((message) => message.role === 'assistant'))
      return `Line ${index + 1} has no assistant message.`;
  }
  return null;
}

export function fileObject(file: FakeFile) {
  return {
    id: file.id,
    object: 'file',
    bytes: file.bytes,
    created_at: file.createdAt,
    filename: file.filename,
    purpose: file.purpose,
    status: 'processed',
    status_details: null,
  };
}

export function jobObject(job: FakeFineTuningJob) {
  return {
    id: job.id,
    object: 'fine_tuning.job',
    created_at: job.createdAt,
    error: job.error,
    fine_tuned_model: job.fineTunedModel,
    finished_at: job.finishedAt,
    hyperparameters: { batch_size: 'auto', learning_rate_multiplier: 'auto', n_epochs: 'auto' },
    model: job.model,
    organization_id: ORGANISATION,
    result_files: job.status === 'succeeded' ? [`file-result-${job.id.slice(-6)}`] : [],
    seed: 42,
    status: job.status,
    trained_tokens: job.trainedTokens,
    training_file: job.trainingFile,
    validation_file: job.validationFile,
    estimated_finish: null,
    integrations: [],
    metadata: null,
    method: {
      type: 'supervised',
      supervised: { hyperparameters: { batch_size: 'auto', learning_rate_multiplier: 'auto', n_epochs: 'auto' } },
    },
    user_provided_suffix: job.suffix,
  };
}

export function openAiError(status: number, message: string, param: string | null = null) {
  return {
    error: {
      message,
      type: status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error',
      param,
      code: status === 429 ? 'rate_limit_exceeded' : null,
    },
  };
}
