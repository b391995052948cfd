import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit, type Actor } from '../../audit/audit-service';
import { OfflineModel, type TrainingExample } from '../../db/entities';
import { rougeScore } from '../metrics/rouge';
import { OfflineAnswerModel, type TrainingPair } from './offline-model';
import { packModel } from './offline-model-store';
import { resolveTrainingSet } from './training-data-service';

/** The question and the reply to learn of an example: its last user and last assistant messages. */
export function pairOf(example: TrainingExample): TrainingPair {
  const question = example.messages.findLast((message) => message.role === 'user')?.content ?? '';
  const answer = example.messages.findLast((message) => message.role === 'assistant')?.content ?? '';
  return { question, answer, topic: example.topic };
}

/** How a model trained on the train split does on the validation split (measured at training time). */
export interface ValidationFigures {
  cases: number;
  /** Right-topic answers over validation cases (handoffs count as misses); null when no case has a topic. */
  topicAccuracy: number | null;
  handoffRate: number;
  rougeL: number;
}

export function validate(model: OfflineAnswerModel, cases: readonly TrainingPair[]): ValidationFigures {
  let right = 0;
  let labelled = 0;
  let handedOff = 0;
  let rouge = 0;
  for (const entry of cases) {
    const prediction = model.predict(entry.question);
    if (entry.topic !== null) labelled += 1;
    if (prediction.needsHuman) {
      handedOff += 1;
      continue;
    }
    if (entry.topic !== null && prediction.topic === entry.topic) right += 1;
    rouge += rougeScore(entry.answer, prediction.answer ?? '').rougeL.fmeasure;
  }
  const share = (value: number, of: number) => (of ? Math.round((value / of) * 10_000) / 10_000 : 0);
  return {
    cases: cases.length,
    topicAccuracy: labelled ? share(right, labelled) : null,
    handoffRate: share(handedOff, cases.length),
    rougeL: share(rouge, cases.length),
  };
}

/**
 * Trains the offline model of a training set: first on its train split,
 * measured on its validation split (the figures are kept with the model), then
 * on all its examples, which is the model stored. Returns the stored row.
 */
export async function trainOfflineModel(
  em: EntityManager,
  input: { tenantId: string; actor: Actor; trainingSet: string },
): Promise<OfflineModel> {
  const set = await resolveTrainingSet(em, input.tenantId, input.trainingSet);
  const started = performance.now();
  const pairs = set.examples.map((example) => ({ split: example.split, pair: pairOf(example) }));
  const trainPairs = pairs.filter((entry) => entry.split === 'train').map((entry) => entry.pair);
  const validationPairs = pairs.filter((entry) => entry.split === 'validation').map((entry) => entry.pair);
  const validation = validationPairs.length ? validate(OfflineAnswerModel.train(trainPairs), validationPairs) : null;
  const model = OfflineAnswerModel.train(pairs.map((entry) => entry.pair));
  const trainingMs = Math.round(performance.now() - started);
  const row = em.create(OfflineModel, {
    tenant: input.tenantId,
    trainingSet: set,
    algorithm: model.data.algorithm,
    artifact: packModel(model),
    exampleCount: pairs.length,
    trainingMs,
    metrics: {
      validation,
      topics: model.data.topics.length,
      features: model.data.features.length,
      timings: model.timings,
    },
    createdBy: input.actor,
  });
  recordAudit(em, {
    tenantId: input.tenantId,
    actor: input.actor,
    action: 'offline_model.train',
    targetType: 'OfflineModel',
    targetId: row.id,
    after: { trainingSet: set.number, examples: pairs.length, trainingMs, validation },
  });
  await em.flush();
  return row;
}

export async function listOfflineModels(em: EntityManager, tenantId: string): Promise<OfflineModel[]> {
  return em.find(OfflineModel, { tenant: tenantId }, { orderBy: { createdAt: 'desc' } });
}
