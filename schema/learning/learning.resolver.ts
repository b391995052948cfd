import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type {
  DatasetVersion,
  DeploymentEvent,
  EvaluationCase,
  EvaluationDataset,
  EvaluationRun,
  ModelVersion,
} from '../../src/db/entities';
import { AppError, badInput, notFound } from '../../src/errors';
import { readCaseFile, sampleCases, type CaseInput } from '../../src/learning/datasets/case-file';
import {
  addCases,
  archiveCases,
  createDataset,
  datasetVersions,
  findDataset,
  GATING_MINIMUM_CASES,
  importApprovedCorrections,
  listDatasets,
  resolveDatasetVersion,
  versionCases,
} from '../../src/learning/datasets/dataset-service';
import type { EvaluationMetrics } from '../../src/learning/evaluation/evaluation-metrics';
import {
  evaluationReport,
  findEvaluationRun,
  listEvaluationRuns,
  renderReport,
  type ReportFormat,
} from '../../src/learning/evaluation/evaluation-report';
import { evaluateModelVersion } from '../../src/learning/evaluation/evaluator';
import { versionBusinessMetrics } from '../../src/learning/evaluation/version-business-metrics';
import {
  activateModelVersion,
  activeModelVersion,
  createDraftModelVersion,
  deploymentHistory,
  listModelVersions,
  resolveModelVersion,
  rollbackModelVersion,
} from '../../src/learning/model-versions/model-version-service';
import { callerOf, type GraphqlContext } from '../common/context';
import { ColumnMappingInput, CreateModelVersionInput, EvaluationCaseInput } from './learning.input';
import {
  DatasetVersionType,
  DeploymentEventType,
  EvaluationCaseType,
  EvaluationDatasetType,
  EvaluationReportType,
  EvaluationRunType,
  ModelVersionType,
  VersionBusinessMetricsType,
} from './learning.types';

export function toModelVersion(row: ModelVersion): ModelVersionType {
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    tierModels: JSON.stringify(row.tierModels ?? {}),
    systemPrompt: row.systemPrompt,
    retrievalK: row.retrievalK,
    retrievalMinScore: row.retrievalMinScore,
    offlineModelArtifactId: row.offlineModelArtifactId,
    parentVersionNumber: row.parentVersion?.number ?? null,
    notes: row.notes,
    createdAt: row.createdAt,
    evaluatedAt: row.evaluatedAt,
    activatedAt: row.activatedAt,
    retiredAt: row.retiredAt,
  };
}

function toDeploymentEvent(row: DeploymentEvent): DeploymentEventType {
  return {
    id: row.id,
    modelVersionId: row.modelVersion.id,
    modelVersionNumber: row.modelVersion.number,
    action: row.action,
    fromStatus: row.fromStatus,
    toStatus: row.toStatus,
    actor: row.actor,
    reason: row.reason,
    createdAt: row.createdAt,
  };
}

function toDataset(row: EvaluationDataset): EvaluationDatasetType {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    latestVersionNumber: row.latestVersionNumber,
    createdAt: row.createdAt,
  };
}

function toDatasetVersion(row: DatasetVersion): DatasetVersionType {
  return {
    id: row.id,
    datasetId: row.dataset.id,
    number: row.number,
    caseCount: row.caseCount,
    gating: row.caseCount >= GATING_MINIMUM_CASES,
    change: row.change,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
  };
}

function toCase(row: EvaluationCase): EvaluationCaseType {
  return {
    id: row.id,
    context: JSON.stringify(row.context),
    input: row.input,
    expectedReply: row.expectedReply,
    expectedTopic: row.expectedTopic,
    expectHandoff: row.expectHandoff,
    source: row.source,
    sourceRef: row.sourceRef,
    provenance: row.provenance ? JSON.stringify(row.provenance) : null,
  };
}

export function toRun(row: EvaluationRun): EvaluationRunType {
  return {
    id: row.id,
    status: row.status,
    modelVersionNumber: row.modelVersion.number,
    datasetVersion: `${row.datasetVersion.dataset.name}@${row.datasetVersion.number}`,
    caseCount: row.caseCount,
    completedCases: row.completedCases,
    verdict: row.verdict,
    reasons: row.reasons,
    gating: row.gating,
    metrics: (row.metrics as unknown as EvaluationMetrics | null) ?? null,
    baselineRunId: row.baselineRun?.id ?? null,
    error: row.error,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
  };
}

function parseJson<T>(text: string | null | undefined, what: string): T | undefined {
  if (text === null || text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw badInput(`${what} must be JSON`);
  }
}

/** Model versions, deployment history, evaluation datasets and evaluations (LEARNING.md). */
@Resolver()
export class LearningResolver {
  @Authorized('analytics:view')
  @Query(() => [ModelVersionType], { description: 'Model versions, newest first. Scope: analytics:view.' })
  async modelVersions(@Ctx() context: GraphqlContext): Promise<ModelVersionType[]> {
    return (await listModelVersions(context.em, callerOf(context).tenantId)).map(toModelVersion);
  }

  @Authorized('analytics:view')
  @Query(() => ModelVersionType, { description: 'The version answering customers now. Scope: analytics:view.' })
  async activeModelVersion(@Ctx() context: GraphqlContext): Promise<ModelVersionType> {
    return toModelVersion(await activeModelVersion(context.em, callerOf(context).tenantId));
  }

  @Authorized('analytics:view')
  @Query(() => [DeploymentEventType], {
    description: 'Deployment history, newest first (at most 500). Scope: analytics:view.',
  })
  async deploymentHistory(
    @Ctx() context: GraphqlContext,
    @Arg('modelVersionId', () => ID, { nullable: true, description: "Only this version's events." })
    modelVersionId: string | null,
  ): Promise<DeploymentEventType[]> {
    return (await deploymentHistory(context.em, callerOf(context).tenantId, modelVersionId)).map(toDeploymentEvent);
  }

  @Authorized('analytics:view')
  @Query(() => [VersionBusinessMetricsType], {
    description:
      'Live-traffic metrics per model version (👍 rate, implicit satisfaction, handoff rate). Scope: analytics:view.',
  })
  async versionBusinessMetrics(
    @Ctx() context: GraphqlContext,
    @Arg('from', () => Date, { description: 'Start of the range (inclusive).' }) from: Date,
    @Arg('to', () => Date, { description: 'End of the range (exclusive).' }) to: Date,
  ): Promise<VersionBusinessMetricsType[]> {
    return versionBusinessMetrics(context.em, { tenantId: callerOf(context).tenantId, from, to });
  }

  @Authorized('corrections:write')
  @Mutation(() => ModelVersionType, {
    description:
      'Creates a draft model version from the active one (or parentVersionId) with changes. Scope: corrections:write.',
  })
  async createModelVersion(
    @Ctx() context: GraphqlContext,
    @Arg('input', () => CreateModelVersionInput, { description: 'The changes.' }) input: CreateModelVersionInput,
  ): Promise<ModelVersionType> {
    const caller = callerOf(context);
    const version = await createDraftModelVersion(context.em, {
      tenantId: caller.tenantId,
      actor: caller.actor,
      parentVersionId: input.parentVersionId,
      changes: {
        tierModels: parseJson(input.tierModels, 'tierModels'),
        systemPrompt: input.systemPrompt,
        retrievalK: input.retrievalK,
        retrievalMinScore: input.retrievalMinScore,
        offlineModelArtifactId: input.offlineModelArtifactId,
        notes: input.notes,
      },
    });
    return toModelVersion(version);
  }

  @Authorized('users:manage')
  @Mutation(() => ModelVersionType, {
    description: 'Makes a version the active one from the next turn on, on every instance. Scope: users:manage.',
  })
  async activateModelVersion(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, { description: 'Model version id.' }) id: string,
    @Arg('reason', () => String, { nullable: true, description: 'Why (kept in the history).' }) reason: string | null,
    @Arg('force', () => Boolean, {
      nullable: true,
      description: 'Activate a draft that was never evaluated (audited).',
    })
    force: boolean | null,
  ): Promise<ModelVersionType> {
    const caller = callerOf(context);
    return toModelVersion(
      await activateModelVersion(context.em, {
        tenantId: caller.tenantId,
        versionId: id,
        actor: caller.actor,
        reason,
        force: force ?? false,
      }),
    );
  }

  @Authorized('users:manage')
  @Mutation(() => ModelVersionType, {
    description: 'Goes back to the previously active version at once; returns it. Scope: users:manage.',
  })
  async rollbackModelVersion(
    @Ctx() context: GraphqlContext,
    @Arg('reason', () => String, { nullable: true, description: 'Why (kept in the history).' }) reason: string | null,
  ): Promise<ModelVersionType> {
    const caller = callerOf(context);
    return toModelVersion(
      await rollbackModelVersion(context.em, { tenantId: caller.tenantId, actor: caller.actor, reason }),
    );
  }

  @Authorized('analytics:view')
  @Query(() => [EvaluationDatasetType], { description: 'Evaluation datasets by name. Scope: analytics:view.' })
  async evaluationDatasets(@Ctx() context: GraphqlContext): Promise<EvaluationDatasetType[]> {
    return (await listDatasets(context.em, callerOf(context).tenantId)).map(toDataset);
  }

  @Authorized('analytics:view')
  @Query(() => [DatasetVersionType], { description: "A dataset's versions, newest first. Scope: analytics:view." })
  async datasetVersions(
    @Ctx() context: GraphqlContext,
    @Arg('dataset', () => String, { description: 'Dataset id or name.' }) dataset: string,
  ): Promise<DatasetVersionType[]> {
    const tenantId = callerOf(context).tenantId;
    const found = await findDataset(context.em, tenantId, dataset);
    if (!found) throw notFound('Dataset', dataset);
    return (await datasetVersions(context.em, tenantId, found.id)).map(toDatasetVersion);
  }

  @Authorized('analytics:view')
  @Query(() => [EvaluationCaseType], {
    description: 'The cases of a dataset version, in order. Scope: analytics:view.',
  })
  async evaluationCases(
    @Ctx() context: GraphqlContext,
    @Arg('datasetVersion', () => String, { description: 'name, name@3, a dataset id or a dataset version id.' })
    datasetVersion: string,
    @Arg('first', () => Int, { nullable: true, description: 'At most this many (default 100, at most 1,000).' })
    first: number | null,
    @Arg('offset', () => Int, { nullable: true, description: 'Skip this many first (default 0).' })
    offset: number | null,
  ): Promise<EvaluationCaseType[]> {
    const version = await resolveDatasetVersion(context.em, callerOf(context).tenantId, datasetVersion);
    const size = Math.min(Math.max(first ?? 100, 1), 1000);
    const start = Math.max(offset ?? 0, 0);
    const window = { ...version, caseIds: version.caseIds.slice(start, start + size) } as DatasetVersion;
    return (await versionCases(context.em, window)).map(toCase);
  }

  @Authorized('corrections:write')
  @Mutation(() => DatasetVersionType, {
    description: 'Creates an empty dataset (its version 1). Scope: corrections:write.',
  })
  async createEvaluationDataset(
    @Ctx() context: GraphqlContext,
    @Arg('name', () => String, { description: 'Unique name: letters, digits, dots, dashes, underscores.' })
    name: string,
    @Arg('description', () => String, { nullable: true, description: 'What it is for.' }) description: string | null,
  ): Promise<DatasetVersionType> {
    const caller = callerOf(context);
    return toDatasetVersion(
      (await createDataset(context.em, { tenantId: caller.tenantId, actor: caller.actor, name, description })).version,
    );
  }

  @Authorized('corrections:write')
  @Mutation(() => DatasetVersionType, {
    description: 'Adds cases typed by hand: a new version. Scope: corrections:write.',
  })
  async addEvaluationCases(
    @Ctx() context: GraphqlContext,
    @Arg('dataset', () => String, { description: 'Dataset id or name.' }) dataset: string,
    @Arg('cases', () => [EvaluationCaseInput], { description: 'The cases (at most 1,000).' })
    cases: EvaluationCaseInput[],
  ): Promise<DatasetVersionType> {
    const caller = callerOf(context);
    if (cases.length > 1000) throw badInput('At most 1,000 cases at once; import a file for more');
    const found = await findDataset(context.em, caller.tenantId, dataset);
    if (!found) throw notFound('Dataset', dataset);
    const inputs: CaseInput[] = cases.map((entry) => ({
      input: entry.input,
      expectedReply: entry.expectedReply,
      expectedTopic: entry.expectedTopic,
      expectHandoff: entry.expectHandoff ?? false,
      context: parseJson(entry.context, 'context') ?? [],
    }));
    return toDatasetVersion(
      await addCases(context.em, {
        tenantId: caller.tenantId,
        actor: caller.actor,
        datasetId: found.id,
        cases: inputs,
        source: 'manual',
      }),
    );
  }

  @Authorized('corrections:write')
  @Mutation(() => DatasetVersionType, {
    description: 'Imports cases from CSV or JSONL text with a column mapping: a new version. Scope: corrections:write.',
  })
  async importEvaluationCases(
    @Ctx() context: GraphqlContext,
    @Arg('dataset', () => String, { description: 'Dataset id or name.' }) dataset: string,
    @Arg('format', () => String, { description: 'csv or jsonl.' }) format: string,
    @Arg('content', () => String, { description: "The file's text (at most 20 MB)." }) content: string,
    @Arg('mapping', () => ColumnMappingInput, {
      nullable: true,
      description: 'Column mapping; unset parts are guessed.',
    })
    mapping: ColumnMappingInput | null,
    @Arg('sample', () => Int, { nullable: true, description: 'Keep a deterministic sample of this many rows.' })
    sample: number | null,
    @Arg('fileName', () => String, { nullable: true, description: 'Name recorded as provenance.' })
    fileName: string | null,
  ): Promise<DatasetVersionType> {
    const caller = callerOf(context);
    if (format !== 'csv' && format !== 'jsonl') throw badInput('format must be csv or jsonl');
    if (content.length > 20_000_000) throw badInput('The file is larger than 20 MB; use npm run datasets -- import');
    const found = await findDataset(context.em, caller.tenantId, dataset);
    if (!found) throw notFound('Dataset', dataset);
    const read = readCaseFile(
      content,
      format,
      {
        input: mapping?.input ?? undefined,
        expectedReply: mapping?.expectedReply ?? undefined,
        expectedTopic: mapping?.expectedTopic ?? undefined,
        expectHandoff: mapping?.expectHandoff ?? undefined,
        context: mapping?.context ?? undefined,
        handoffTopics: mapping?.handoffTopics ?? undefined,
      },
      fileName ?? `upload.${format}`,
    );
    const cases = sample ? sampleCases(read.cases, sample) : read.cases;
    return toDatasetVersion(
      await addCases(context.em, {
        tenantId: caller.tenantId,
        actor: caller.actor,
        datasetId: found.id,
        cases,
        source: 'import',
        change: `imported ${cases.length} cases from ${fileName ?? format}${read.skipped ? ` (${read.skipped} rows skipped)` : ''}`,
      }),
    );
  }

  @Authorized('corrections:write')
  @Mutation(() => DatasetVersionType, {
    nullable: true,
    description:
      'Adds approved corrections not yet in the dataset, with provenance; null when there were none. Scope: corrections:write.',
  })
  async importCorrectionsIntoDataset(
    @Ctx() context: GraphqlContext,
    @Arg('dataset', () => String, { description: 'Dataset id or name.' }) dataset: string,
    @Arg('minQuality', () => Int, { nullable: true, description: 'Only corrections of at least this quality (0–5).' })
    minQuality: number | null,
  ): Promise<DatasetVersionType | null> {
    const caller = callerOf(context);
    const result = await importApprovedCorrections(context.em, {
      tenantId: caller.tenantId,
      actor: caller.actor,
      datasetId: dataset,
      minQuality,
    });
    return result.version ? toDatasetVersion(result.version) : null;
  }

  @Authorized('corrections:write')
  @Mutation(() => DatasetVersionType, {
    description: 'Archives cases: a new version without them. Scope: corrections:write.',
  })
  async archiveEvaluationCases(
    @Ctx() context: GraphqlContext,
    @Arg('dataset', () => String, { description: 'Dataset id or name.' }) dataset: string,
    @Arg('caseIds', () => [ID], { description: 'Cases to leave out.' }) caseIds: string[],
    @Arg('reason', () => String, { nullable: true, description: 'Why.' }) reason: string | null,
  ): Promise<DatasetVersionType> {
    const caller = callerOf(context);
    const found = await findDataset(context.em, caller.tenantId, dataset);
    if (!found) throw notFound('Dataset', dataset);
    return toDatasetVersion(
      await archiveCases(context.em, {
        tenantId: caller.tenantId,
        actor: caller.actor,
        datasetId: found.id,
        caseIds,
        reason,
      }),
    );
  }

  @Authorized('analytics:view')
  @Query(() => [EvaluationRunType], { description: 'Evaluation runs, newest first. Scope: analytics:view.' })
  async evaluationRuns(
    @Ctx() context: GraphqlContext,
    @Arg('first', () => Int, { nullable: true, description: 'At most this many (default 50, at most 200).' })
    first: number | null,
  ): Promise<EvaluationRunType[]> {
    return (
      await listEvaluationRuns(context.em, callerOf(context).tenantId, Math.min(Math.max(first ?? 50, 1), 200))
    ).map(toRun);
  }

  @Authorized('analytics:view')
  @Query(() => EvaluationReportType, {
    description: 'A run with its comparison, and the report rendered as json, csv or md. Scope: analytics:view.',
  })
  async evaluationReport(
    @Ctx() context: GraphqlContext,
    @Arg('runId', () => ID, { description: 'Evaluation run id.' }) runId: string,
    @Arg('format', () => String, { nullable: true, description: 'json (default), csv or md.' }) format: string | null,
  ): Promise<EvaluationReportType> {
    const tenantId = callerOf(context).tenantId;
    const chosen = (format ?? 'json') as ReportFormat;
    if (!['json', 'csv', 'md'].includes(chosen)) throw badInput('format must be json, csv or md');
    const report = await evaluationReport(context.em, tenantId, runId);
    const run = await findEvaluationRun(context.em, tenantId, report.runId);
    if (!run) throw notFound('Evaluation run', runId);
    return {
      run: toRun(run),
      baselineMetrics: report.baseline?.metrics ?? null,
      comparisons: report.comparisons,
      rendered: renderReport(report, chosen),
    };
  }

  @Authorized('corrections:write')
  @Mutation(() => EvaluationRunType, {
    description:
      'Evaluates a model version on a dataset version through the gateway, as evaluation traffic, in the background; poll evaluationRuns. Scope: corrections:write.',
  })
  async startEvaluation(
    @Ctx() context: GraphqlContext,
    @Arg('modelVersion', () => String, { description: 'Model version id or number.' }) modelVersion: string,
    @Arg('dataset', () => String, { description: 'name, name@3, a dataset id or a dataset version id.' })
    dataset: string,
    @Arg('concurrency', () => Int, { nullable: true, description: 'Cases answered at once (default 4, at most 32).' })
    concurrency: number | null,
  ): Promise<EvaluationRunType> {
    const caller = callerOf(context);
    const gateway = context.services.gateway;
    if (!gateway) throw new AppError('CONFLICT', 'This service runs without the provider layer; use npm run evaluate');
    // Validate first, so a bad reference is an error here rather than a failed background run.
    await resolveModelVersion(context.em, caller.tenantId, modelVersion);
    await resolveDatasetVersion(context.em, caller.tenantId, dataset);
    const root = context.services.orm.em;
    let started: (runId: string) => void = () => undefined;
    const runId = new Promise<string>((resolve) => (started = resolve));
    const running = evaluateModelVersion(
      { em: root, gateway, logger: context.services.logger },
      {
        tenantId: caller.tenantId,
        actor: caller.actor,
        version: modelVersion,
        dataset,
        concurrency: concurrency ?? 4,
        onRunCreated: (id) => started(id),
      },
    );
    running.catch((error: unknown) => context.services.logger.error({ err: error }, 'evaluation failed'));
    const id = await Promise.race([runId, running.then((run) => run.id)]);
    const row = await findEvaluationRun(root.fork(), caller.tenantId, id);
    if (!row) throw notFound('Evaluation run', id);
    return toRun(row);
  }
}
