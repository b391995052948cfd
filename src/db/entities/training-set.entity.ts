import { Entity, Index, ManyToOne, OptionalProps, Property, Unique } from '@mikro-orm/core';
import { ModelVersion } from './model-version.entity';
import { TenantScoped } from './tenant-scoped';

/** One chat message of a training example; `weight` 0 keeps an earlier assistant turn as context only (OpenAI's field). */
export interface TrainingMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
  weight?: 0 | 1;
}

/** Where an example came from. */
export type TrainingExampleSource = 'correction' | 'thumbs_up';

/** One training example, stored so the JSONL of either format can be rendered again at any time. */
export interface TrainingExample {
  /** Stable id (`correction:<uuid>` or `interaction:<uuid>`): its hash decides the split. */
  id: string;
  source: TrainingExampleSource;
  split: 'train' | 'validation';
  topic: string | null;
  category: string | null;
  /** System prompt first, then context, the customer's question, and the reply to learn (the last message). */
  messages: TrainingMessage[];
}

/** How a training set was selected (the tenant's settings at the time, or the caller's overrides). */
export interface TrainingSetSettings {
  minQuality: number;
  includeThumbsUp: boolean;
  minImplicitSatisfaction: number;
  maskPersonalData: boolean;
}

/** Counts and estimates shown next to a training set (see training-statistics.ts). */
export interface TrainingSetStatistics {
  examples: number;
  train: number;
  validation: number;
  validationShare: number;
  bySource: Record<string, number>;
  byTopic: Record<string, number>;
  byCategory: Record<string, number>;
  /** Tokens of every message (cl100k-style estimate), and of the weighted (trained) assistant messages. */
  tokens: { total: number; trained: number; perExampleMean: number };
  /** Estimated training cost per format: tokens × epochs × the provider's training price per 1M tokens. */
  estimatedCost: Array<{ format: string; model: string; epochs: number; pricePerMillion: number; usd: number }>;
  /** Candidates left out, by reason. */
  filteredOut: Record<string, number>;
  maskedValues: number;
}

/**
 * A versioned export of training data of one tenant (issue 13): examples built
 * from approved corrections (and optionally 👍 replies), de-duplicated, masked,
 * split 80/20 by a hash of each example id. Immutable once created; JSONL for
 * OpenAI or Gemini is rendered from `examples` (see `trainingSetFiles`).
 */
@Entity({ tableName: 'training_set' })
@Unique({ properties: ['tenant', 'number'] })
@Index({ properties: ['tenant', 'createdAt'] })
export class TrainingSet extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt' | 'modelVersion' | 'warnings' | 'createdBy';

  @Property({ type: 'integer' })
  number!: number;

  /** The version whose system prompt the examples carry. */
  @ManyToOne(() => ModelVersion, { nullable: true, deleteRule: 'set null' })
  modelVersion: ModelVersion | null = null;

  @Property({ type: 'json' })
  settings!: TrainingSetSettings;

  @Property({ type: 'json' })
  examples!: TrainingExample[];

  @Property({ type: 'integer' })
  exampleCount!: number;

  @Property({ type: 'integer' })
  trainCount!: number;

  @Property({ type: 'integer' })
  validationCount!: number;

  @Property({ type: 'json' })
  statistics!: TrainingSetStatistics;

  @Property({ type: 'json' })
  warnings: string[] = [];

  @Property({ type: 'string', nullable: true })
  createdBy: string | null = null;
}

/**
 * A model trained by the offline trainer from a training set: a topic
 * classifier and answer selection, serialised (gzip JSON) in `artifact`. A
 * model version names it in `offlineModelArtifactId`; the knowledge-base
 * provider then answers with it, with no key and no network.
 */
@Entity({ tableName: 'offline_model' })
@Index({ properties: ['tenant', 'createdAt'] })
export class OfflineModel extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt' | 'trainingSet' | 'metrics' | 'createdBy';

  @ManyToOne(() => TrainingSet, { nullable: true, deleteRule: 'set null' })
  trainingSet: TrainingSet | null = null;

  /** e.g. `softmax-tfidf-v1`. */
  @Property({ type: 'string' })
  algorithm!: string;

  /** gzip of the model's JSON (see offline-model.ts). */
  @Property({ type: 'blob', lazy: true })
  artifact!: Buffer;

  @Property({ type: 'integer' })
  exampleCount!: number;

  @Property({ type: 'integer' })
  trainingMs!: number;

  /** Accuracy on the training set's validation split and anything else measured at training time. */
  @Property({ type: 'json', nullable: true })
  metrics: Record<string, unknown> | null = null;

  @Property({ type: 'string', nullable: true })
  createdBy: string | null = null;
}
