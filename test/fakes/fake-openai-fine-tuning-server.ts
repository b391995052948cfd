import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJson as send } from './json-response';
import {
  endpointOf,
  fileObject,
  jobObject,
  openAiError,
  ORGANISATION,
  validateTrainingFile,
  type FakeFile,
  type FakeFineTuningJob,
  type FineTuningFault,
} from './fake-openai-fine-tuning-wire';

export type { FakeFile, FakeFineTuningJob, FineTuningEndpoint, FineTuningFault } from './fake-openai-fine-tuning-wire';
export { validateTrainingFile } from './fake-openai-fine-tuning-wire';

export interface FakeOpenAiFineTuning {
  /** Base URL including `/v1` (the SDK's baseURL). */
  url: string;
  files: Map<string, FakeFile>;
  jobs: Map<string, FakeFineTuningJob>;
  /** Every request: method, path and the API key sent. */
  requests: Array<{ method: string; path: string; apiKey: string | null }>;
  /** The next `times` matching requests get `fault` (queued in order). */
  failNext(fault: FineTuningFault, times?: number): void;
  /** The next uploaded file fails OpenAI's file validation (the job using it fails in validating_files). */
  invalidateNextUpload(reason?: string): void;
  /** The next job created fails while running (`training_failed` error), or stays queued forever. */
  nextJobFate(fate: FakeFineTuningJob['fate']): void;
  /**
   * `per-poll` (default): each retrieve of a job moves it one step:
   * validating_files → queued → running → succeeded/failed. `manual`: only `advance` moves it (a controllable clock).
   */
  setAdvance(mode: 'per-poll' | 'manual'): void;
  /** Moves a job one step (manual mode). */
  advance(jobId: string): void;
  close(): Promise<void>;
}

/**
 * OpenAI's Files and Fine-tuning endpoints on 127.0.0.1 (random port), for the
 * real `openai` SDK: POST /v1/files (multipart, purpose `fine-tune`, the JSONL
 * checked line by line as OpenAI's file validation does), GET /v1/files/:id,
 * POST /v1/fine_tuning/jobs, GET /v1/fine_tuning/jobs/:id,
 * GET /v1/fine_tuning/jobs/:id/events (a cursor page, newest first),
 * POST /v1/fine_tuning/jobs/:id/cancel. Objects and errors in OpenAI's wire
 * shapes (`fine_tuning.job`, `fine_tuning.job.event`, `{ error: {...} }`).
 * A training file that does not validate makes the job fail in
 * `validating_files` with `invalid_training_file`, as the API does.
 */
export async function startFakeOpenAiFineTuning(): Promise<FakeOpenAiFineTuning> {
  const files = new Map<string, FakeFile>();
  const jobs = new Map<string, FakeFineTuningJob>();
  const requests: FakeOpenAiFineTuning['requests'] = [];
  const faults: FineTuningFault[] = [];
  let fate: FakeFineTuningJob['fate'] = 'succeed';
  let advanceMode: 'per-poll' | 'manual' = 'per-poll';
  let invalidUpload: string | null = null;
  const invalidFiles = new Map<string, string>();
  let sequence = 0;
  const polled = new Set<string>();
  const now = () => Math.floor(Date.now() / 1000);
  const nextId = (prefix: string) => `${prefix}-fake${String(++sequence).padStart(6, '0')}`;

  const event = (job: FakeFineTuningJob, message: string, level: 'info' | 'warn' | 'error' = 'info') =>
    job.events.push({ id: nextId('ftevent'), created_at: now(), level, message, type: 'message' });

  function step(job: FakeFineTuningJob): void {
    if (job.status === 'validating_files') {
      const problem =
        invalidFiles.get(job.trainingFile) ?? validateTrainingFile(files.get(job.trainingFile)?.content ?? '');
      if (problem) {
        job.status = 'failed';
        job.finishedAt = now();
        job.error = {
          code: 'invalid_training_file',
          message: `The job failed due to an invalid training file. ${problem}`,
          param: 'training_file',
        };
        event(job, job.error.message, 'error');
        return;
      }
      job.status = 'queued';
      event(job, 'Files validated, moving job to queued state');
    } else if (job.status === 'queued') {
      if (job.fate === 'stay-queued') return;
      job.status = 'running';
      event(job, 'Fine-tuning job started');
    } else if (job.status === 'running') {
      if (job.fate === 'fail') {
        job.status = 'failed';
        job.finishedAt = now();
        job.error = {
          code: 'training_failed',
          message: 'Fine-tuning failed: an internal error occurred during training.',
          param: null,
        };
        event(job, job.error.message, 'error');
        return;
      }
      job.status = 'succeeded';
      job.finishedAt = now();
      job.trainedTokens = Math.ceil((files.get(job.trainingFile)?.bytes ?? 0) / 4) * 3;
      job.fineTunedModel = `ft:${job.model}:${ORGANISATION}${job.suffix ? `:${job.suffix}` : ''}:${job.id.slice(-8)}`;
      event(job, `New fine-tuned model created: ${job.fineTunedModel}`);
      event(job, 'The job has successfully completed');
    }
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void handle(request, Buffer.concat(chunks), response).catch((error: unknown) =>
        send(response, 500, openAiError(500, error instanceof Error ? error.message : String(error))),
      );
    });
  });

  async function handle(request: http.IncomingMessage, body: Buffer, response: http.ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://fake');
    const path = url.pathname;
    requests.push({ method, path, apiKey: request.headers.authorization?.replace(/^Bearer\s+/i, '') ?? null });
    const endpoint = endpointOf(method, path);
    if (!endpoint) return send(response, 404, openAiError(404, `Invalid URL (${method} ${path})`));
    const faultIndex = faults.findIndex((fault) => !fault.on || fault.on === endpoint);
    if (faultIndex >= 0) {
      const [fault] = faults.splice(faultIndex, 1);
      return send(
        response,
        fault.status,
        openAiError(fault.status, fault.message ?? `Injected HTTP ${fault.status}.`),
        fault.status === 429 ? { 'retry-after': '1' } : {},
      );
    }
    if (endpoint === 'files') {
      if (method === 'GET') {
        const file = files.get(path.split('/')[3] ?? '');
        return file
          ? send(response, 200, fileObject(file))
          : send(response, 404, openAiError(404, 'No such File object'));
      }
      const form = await new Request(`http://fake${path}`, {
        method,
        headers: { 'content-type': String(request.headers['content-type'] ?? '') },
        body,
      }).formData();
      const purpose = form.get('purpose');
      const upload = form.get('file');
      if (typeof purpose !== 'string' || !upload || typeof upload === 'string')
        return send(response, 400, openAiError(400, "Missing required parameter: 'file' and 'purpose' are required."));
      const content = await upload.text();
      const file: FakeFile = {
        id: nextId('file'),
        filename: upload.name,
        purpose,
        bytes: Buffer.byteLength(content),
        content,
        createdAt: now(),
      };
      files.set(file.id, file);
      if (invalidUpload !== null) {
        invalidFiles.set(file.id, invalidUpload);
        invalidUpload = null;
      }
      return send(response, 200, fileObject(file));
    }
    const jobId = path.split('/')[4] ?? '';
    if (endpoint === 'create') {
      const params = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      const training = files.get(String(params.training_file ?? ''));
      if (!params.model) return send(response, 400, openAiError(400, "Missing required parameter: 'model'."));
      if (!training || training.purpose !== 'fine-tune')
        return send(
          response,
          400,
          openAiError(400, `invalid training_file: ${String(params.training_file)}`, 'training_file'),
        );
      if (params.validation_file && !files.has(String(params.validation_file)))
        return send(
          response,
          400,
          openAiError(400, `invalid validation_file: ${String(params.validation_file)}`, 'validation_file'),
        );
      if (typeof params.suffix === 'string' && params.suffix.length > 64)
        return send(response, 400, openAiError(400, 'suffix must be at most 64 characters', 'suffix'));
      const job: FakeFineTuningJob = {
        id: nextId('ftjob'),
        model: String(params.model),
        suffix: typeof params.suffix === 'string' ? params.suffix : null,
        trainingFile: training.id,
        validationFile: params.validation_file ? String(params.validation_file) : null,
        status: 'validating_files',
        createdAt: now(),
        finishedAt: null,
        fineTunedModel: null,
        trainedTokens: null,
        error: null,
        events: [],
        fate,
      };
      fate = 'succeed';
      event(job, `Created fine-tuning job: ${job.id}`);
      event(job, `Validating training file: ${job.trainingFile}`);
      jobs.set(job.id, job);
      return send(response, 200, jobObject(job));
    }
    const job = jobs.get(jobId);
    if (!job) return send(response, 404, openAiError(404, `Could not find fine-tune: ${jobId}`, 'fine_tune_id'));
    if (endpoint === 'retrieve') {
      // The first retrieve reports the status the job was created with; each later one moves it a step first.
      if (advanceMode === 'per-poll' && polled.has(job.id)) step(job);
      polled.add(job.id);
      return send(response, 200, jobObject(job));
    }
    if (endpoint === 'events') {
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 20), 100);
      const newestFirst = [...job.events].reverse();
      const after = url.searchParams.get('after');
      const start = after ? newestFirst.findIndex((entry) => entry.id === after) + 1 : 0;
      const page = newestFirst.slice(start, start + limit);
      return send(response, 200, {
        object: 'list',
        data: page.map((entry) => ({ object: 'fine_tuning.job.event', ...entry, data: {} })),
        has_more: start + limit < newestFirst.length,
      });
    }
    // cancel
    if (['succeeded', 'failed', 'cancelled'].includes(job.status))
      return send(response, 400, openAiError(400, `Job has already completed: ${job.status}`));
    job.status = 'cancelled';
    job.finishedAt = now();
    event(job, 'Fine-tuning job cancelled');
    return send(response, 200, jobObject(job));
  }

  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    files,
    jobs,
    requests,
    failNext(fault, times = 1) {
      for (let index = 0; index < times; index++) faults.push(fault);
    },
    invalidateNextUpload(reason = 'Line 3: messages must contain at least one assistant message.') {
      invalidUpload = reason;
    },
    nextJobFate(next) {
      fate = next;
    },
    setAdvance(mode) {
      advanceMode = mode;
    },
    advance(jobId) {
      const job = jobs.get(jobId);
      if (job) step(job);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
