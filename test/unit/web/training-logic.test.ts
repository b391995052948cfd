import type { TrainingExample } from '../../../src/db/entities';
import { trainingStatistics } from '../../../src/learning/training/training-statistics';
import type { FineTuningJob, TrainingSet } from '../../../web/src/api/training-operations';
import {
  canCancel,
  costOf,
  countRows,
  describeCancel,
  describeStart,
  downloadName,
  EMPTY_SET_FORM,
  jobTimeline,
  jsonlLines,
  offlineValidation,
  parseSettings,
  parseStatistics,
  phaseBadge,
  setInputOf,
} from '../../../web/src/lib/training';

function example(id: string, split: 'train' | 'validation', topic: string | null, category: string): TrainingExample {
  return {
    id,
    source: 'correction',
    split,
    topic,
    category,
    messages: [
      { role: 'system', content: 'You are the shop assistant.' },
      { role: 'user', content: `Question ${id}?` },
      { role: 'assistant', content: `Answer ${id}.`, weight: 1 },
    ],
  };
}

const set: TrainingSet = {
  id: 'set-1',
  number: 3,
  modelVersionNumber: 2,
  exampleCount: 12,
  trainCount: 10,
  validationCount: 2,
  settings: '{}',
  statistics: '{}',
  warnings: [],
  createdAt: '2026-12-01T10:00:00.000Z',
};

const job: FineTuningJob = {
  id: 'job-1',
  trainingSetId: 'set-1',
  provider: 'openai',
  baseModel: 'gpt-4o-mini-2024-07-18',
  suffix: 'acme-v2',
  phase: 'training',
  status: 'running',
  providerJobId: 'ftjob-123',
  trainingFileId: 'file-1',
  validationFileId: 'file-2',
  events: [
    {
      id: 'e1',
      createdAt: '2026-12-01T10:00:00.000Z',
      level: 'info',
      message: 'Created fine-tuning job',
      type: 'message',
    },
    { id: 'e2', createdAt: '2026-12-01T10:05:00.000Z', level: 'warn', message: 'Slow queue', type: 'message' },
  ],
  error: null,
  fineTunedModel: null,
  trainedTokens: null,
  baseVersionNumber: 2,
  modelVersion: null,
  evaluationRunId: null,
  validationReasons: [],
  trigger: 'manual',
  startedBy: 'apikey:0839eed2-aaaa-bbbb-cccc-000000000000',
  lastPollError: null,
  lastPolledAt: null,
  submittedAt: '2026-12-01T10:00:00.400Z',
  finishedAt: null,
  createdAt: '2026-12-01T10:00:00.100Z',
};

describe('training set statistics', () => {
  it('reads what the service writes (round trip through trainingStatistics)', () => {
    const examples = [
      example('a', 'train', 'orders', 'wrong_facts'),
      example('b', 'train', 'orders', 'tone'),
      example('c', 'validation', null, 'wrong_facts'),
    ];
    const written = trainingStatistics(examples, { 'quality score below 4': 2 }, 1);
    const read = parseStatistics(JSON.stringify(written));
    expect(read).toEqual(written);
    expect(read.byTopic).toEqual({ orders: 2, '(none)': 1 });
    expect(read.estimatedCost.map((cost) => cost.model)).toEqual([
      'gpt-4o-mini-2024-07-18',
      'gpt-4.1-mini-2025-04-14',
      'gemini-2.5-flash',
    ]);
  });

  it('survives missing or malformed JSON with zeros and empty lists', () => {
    for (const json of [null, '', 'not json', '[1,2]', '{"examples":"many","byTopic":{"x":"y"}}']) {
      const read = parseStatistics(json);
      expect(read.examples).toBe(0);
      expect(read.byTopic).toEqual({});
      expect(read.estimatedCost).toEqual([]);
    }
  });

  it('orders counts largest first, ties by name, with shares of the total', () => {
    expect(countRows({ b: 2, a: 2, c: 6 })).toEqual([
      { name: 'c', count: 6, share: 0.6 },
      { name: 'a', count: 2, share: 0.2 },
      { name: 'b', count: 2, share: 0.2 },
    ]);
    expect(countRows({ a: 1 }, 4)[0].share).toBe(0.25);
    expect(countRows({})).toEqual([]);
    expect(countRows({ a: 0 })[0].share).toBeNull();
  });

  it('reads the settings a set was exported with', () => {
    expect(parseSettings('{"minQuality":4,"maskPersonalData":false}')).toEqual({
      minQuality: 4,
      maskPersonalData: false,
      includeThumbsUp: null,
      minImplicitSatisfaction: null,
    });
  });
});

describe('the export form', () => {
  it('sends nothing when every field keeps the tenant setting', () => {
    expect(setInputOf(EMPTY_SET_FORM)).toEqual({ input: null });
  });

  it('sends only what was changed', () => {
    expect(
      setInputOf({ minQuality: '3', maskPersonalData: 'no', includeThumbsUp: 'yes', minImplicitSatisfaction: '0.9' }),
    ).toEqual({
      input: { minQuality: 3, maskPersonalData: false, includeThumbsUp: true, minImplicitSatisfaction: 0.9 },
    });
  });

  it('refuses values the API would refuse, saying which', () => {
    for (const minQuality of ['6', '-1', '3.5', 'four'])
      expect(setInputOf({ ...EMPTY_SET_FORM, minQuality })).toEqual({
        error: 'Minimum quality must be a whole number from 0 to 5.',
      });
    expect(setInputOf({ ...EMPTY_SET_FORM, minImplicitSatisfaction: '1.2' })).toHaveProperty('error');
  });
});

describe('fine-tuning jobs in words', () => {
  const usd = (value: number) => `$${value.toFixed(4)}`;

  it('says what starting will do: the set, the model, the estimated cost and that nothing reaches customers', () => {
    const statistics = parseStatistics(
      JSON.stringify({
        estimatedCost: [
          { format: 'openai', model: 'gpt-4o-mini-2024-07-18', pricePerMillion: 3, epochs: 3, usd: 0.0191 },
        ],
      }),
    );
    const cost = costOf(statistics, ' gpt-4o-mini-2024-07-18 ');
    expect(cost?.usd).toBe(0.0191);
    const text = describeStart({ set, baseModel: 'gpt-4o-mini-2024-07-18', cost, formatUsd: usd });
    expect(text).toContain(
      'uploads training set #3 (10 training and 2 validation examples) to OpenAI and fine-tunes gpt-4o-mini-2024-07-18',
    );
    expect(text).toContain('Estimated training cost: $0.0191 (3 epochs at $3 per 1M tokens)');
    expect(text).toContain('nothing reaches customers');
    expect(costOf(statistics, 'gpt-3.5-turbo')).toBeNull();
    const unpriced = describeStart({ set: null, baseModel: 'gpt-3.5-turbo', cost: null, formatUsd: usd });
    expect(unpriced).toContain('a new training set exported now');
    expect(unpriced).toContain('no price estimate for this model');
  });

  it('offers cancelling only while the provider job trains, and says what it does', () => {
    expect(canCancel(job)).toBe(true);
    for (const phase of ['submitting', 'validating', 'deployable', 'cancelled', 'provider_failed'])
      expect(canCancel({ phase })).toBe(false);
    expect(describeCancel(job)).toContain('cancel job ftjob-123 (gpt-4o-mini-2024-07-18, now running)');
  });

  it('lays out the timeline: started, submitted, the provider events in order, finished', () => {
    const finished = {
      ...job,
      phase: 'provider_failed',
      finishedAt: '2026-12-01T11:00:00.000Z',
      error: { code: 'training_failed', message: 'boom', param: null },
    };
    expect(jobTimeline(finished).map((entry) => [entry.label, entry.level])).toEqual([
      ['Started (manual by API key 0839eed2)', 'info'],
      ['Submitted to OpenAI as ftjob-123', 'info'],
      ['Created fine-tuning job', 'info'],
      ['Slow queue', 'warn'],
      ['Finished: provider failed (training_failed: boom)', 'error'],
    ]);
    expect(phaseBadge('deployable')).toContain('badge-active');
    expect(phaseBadge('provider_failed')).toContain('badge-missed');
  });
});

describe('downloads and offline models', () => {
  it('names files by set, format and split and counts JSONL lines', () => {
    expect(downloadName(3, 'gemini', 'validation')).toBe('training-set-3-gemini-validation.jsonl');
    expect(jsonlLines('{"a":1}\n{"a":2}\n')).toBe(2);
    expect(jsonlLines('')).toBe(0);
  });

  it('reads the validation figures kept with an offline model', () => {
    expect(
      offlineValidation({
        metrics: JSON.stringify({ validation: { cases: 6, topicAccuracy: 0.5, handoffRate: 0.1667, rougeL: 0.8 } }),
        validationTopicAccuracy: 0.5,
      }),
    ).toEqual({ cases: 6, topicAccuracy: 0.5, handoffRate: 0.1667, rougeL: 0.8 });
    expect(
      offlineValidation({ metrics: JSON.stringify({ validation: null }), validationTopicAccuracy: null }),
    ).toBeNull();
    expect(offlineValidation({ metrics: null, validationTopicAccuracy: null })).toBeNull();
  });
});
