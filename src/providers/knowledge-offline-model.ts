import type { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import type { OfflineAnswerModel } from '../learning/training/offline-model';
import { loadOfflineModel } from '../learning/training/offline-model-store';
import { latestUserMessage } from './complexity';
import { HANDOVER_REPLY, knowledgeResult } from './knowledge-answer';
import type { GenerateRequest, GenerateResult } from './types';

/**
 * The knowledge base's answers from a trained offline model (a model version
 * names it in `request.offlineModel`). Models are immutable, so they are cached
 * by id; a load that fails is not cached.
 */
export function createOfflineModelAnswerer(options: {
  em: EntityManager;
  /** Reads a trained offline model (default: the offline_model row). */
  loadOfflineModel?: (tenantId: string, id: string) => Promise<OfflineAnswerModel>;
}): (request: GenerateRequest) => Promise<GenerateResult | null> {
  const offlineModels = new LRUCache<string, Promise<OfflineAnswerModel>>({ max: 20 });
  const readOfflineModel =
    options.loadOfflineModel ?? ((tenantId, id) => loadOfflineModel(options.em.fork(), tenantId, id));
  const offlineModelFor = (tenantId: string, id: string): Promise<OfflineAnswerModel> => {
    const key = `${tenantId}:${id}`;
    let model = offlineModels.get(key);
    if (!model) {
      const loading = readOfflineModel(tenantId, id);
      offlineModels.set(key, loading);
      loading.catch(() => {
        if (offlineModels.get(key) === loading) offlineModels.delete(key);
      });
      model = loading;
    }
    return model;
  };

  /** The trained offline model's answer, or null when it cannot be loaded. */
  return async (request) => {
    const id = request.offlineModel!;
    let model: OfflineAnswerModel;
    try {
      model = await offlineModelFor(request.tenantId, id);
    } catch {
      return null; // a missing or unreadable model: answer from the knowledge articles instead
    }
    const prediction = model.predict(latestUserMessage(request.messages));
    const text = prediction.needsHuman ? HANDOVER_REPLY : prediction.answer!;
    return knowledgeResult(request, text, {
      offlineModel: id,
      needsHuman: prediction.needsHuman,
      matchConfidence: prediction.probability,
      matchSimilarity: prediction.similarity,
      ...(prediction.needsHuman ? {} : { topic: prediction.topic, matchedQuestion: prediction.matchedQuestion }),
    });
  };
}
