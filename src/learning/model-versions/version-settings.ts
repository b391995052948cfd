import type { RoutingSettings, TenantSettings, TierModels } from '../../db/entities';

/** The parts of a model version that shape an answer (ActiveModelVersion in the engine, or a ModelVersion row). */
export interface VersionAnswerSettings {
  id: string;
  systemPrompt: string | null;
  tierModels: TierModels;
  retrievalK: number;
  retrievalMinScore: number;
  offlineModelArtifactId?: string | null;
}

export interface AnswerSettings {
  systemPrompt: string;
  routing: RoutingSettings | undefined;
  retrieval: { k: number; minScore: number } | undefined;
  modelVersionId: string | null;
  /** The version's trained offline model: the knowledge-base provider answers with it. */
  offlineModel: string | null;
}

/**
 * How a version answers for a tenant: its system prompt (else the tenant's, else
 * the default), the tenant's routing with the version's tier models on top, and
 * its retrieval settings. The engine and the evaluator both use this, so an
 * evaluation asks the gateway exactly what a customer turn would.
 */
export function answerSettings(
  tenantSettings: TenantSettings,
  version: VersionAnswerSettings | null,
  defaultSystemPrompt: string,
): AnswerSettings {
  const systemPrompt = version?.systemPrompt?.trim() || tenantSettings.systemPrompt?.trim() || defaultSystemPrompt;
  const tierModels = version?.tierModels ?? {};
  // The tenant's own object when the version changes nothing: the routing policy is memoised by identity.
  const routing = Object.keys(tierModels).length
    ? { ...(tenantSettings.routing ?? {}), models: { ...(tenantSettings.routing?.models ?? {}), ...tierModels } }
    : tenantSettings.routing;
  return {
    systemPrompt,
    routing,
    retrieval: version ? { k: version.retrievalK, minScore: version.retrievalMinScore } : undefined,
    modelVersionId: version?.id ?? null,
    offlineModel: version?.offlineModelArtifactId ?? null,
  };
}
