import { Entity, Index, ManyToOne, OptionalProps, Property, Unique } from '@mikro-orm/core';
import { TenantScoped } from './tenant-scoped';

/** A named set of evaluation cases of one tenant; its content lives in immutable DatasetVersions. */
@Entity({ tableName: 'evaluation_dataset' })
@Unique({ properties: ['tenant', 'name'] })
export class EvaluationDataset extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'description' | 'latestVersionNumber';

  @Property({ type: 'string' })
  name!: string;

  @Property({ type: 'text' })
  description: string = '';

  @Property({ type: 'integer' })
  latestVersionNumber: number = 0;

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

/** Where a case came from. */
export type EvaluationCaseSource = 'manual' | 'correction' | 'import';

/** A chat turn of a case's context. */
export interface CaseContextMessage {
  role: 'customer' | 'agent';
  text: string;
}

/**
 * One evaluation case: the conversation so far, the customer's message, the
 * reply expected, optionally the expected topic and whether a human should
 * take over. Cases never change; archiving one makes a version without it.
 */
@Entity({ tableName: 'evaluation_case' })
@Index({ properties: ['dataset', 'createdAt'] })
export class EvaluationCase extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt' | 'context' | 'expectedTopic' | 'expectHandoff' | 'sourceRef' | 'provenance';

  @ManyToOne(() => EvaluationDataset, { deleteRule: 'cascade' })
  dataset!: EvaluationDataset;

  @Property({ type: 'json' })
  context: CaseContextMessage[] = [];

  @Property({ type: 'text' })
  input!: string;

  @Property({ type: 'text' })
  expectedReply!: string;

  @Property({ type: 'string', nullable: true })
  expectedTopic: string | null = null;

  @Property({ type: 'boolean' })
  expectHandoff: boolean = false;

  @Property({ type: 'string' })
  source!: EvaluationCaseSource;

  /** The correction id, or `file:line` of an import. */
  @Property({ type: 'string', nullable: true })
  sourceRef: string | null = null;

  /** Who approved the correction and when, the file's name, etc. */
  @Property({ type: 'json', nullable: true })
  provenance: Record<string, unknown> | null = null;
}

/** An immutable snapshot of a dataset: the ids of its cases. Every change to a dataset makes a new one. */
@Entity({ tableName: 'dataset_version' })
@Unique({ properties: ['dataset', 'number'] })
export class DatasetVersion extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt' | 'change' | 'parentVersion';

  @ManyToOne(() => EvaluationDataset, { deleteRule: 'cascade' })
  dataset!: EvaluationDataset;

  @Property({ type: 'integer' })
  number!: number;

  /** Case ids, in order. */
  @Property({ type: 'json' })
  caseIds!: string[];

  @Property({ type: 'integer' })
  caseCount!: number;

  /** What changed, e.g. `imported 3,600 cases from train.csv`. */
  @Property({ type: 'text' })
  change: string = '';

  @ManyToOne(() => DatasetVersion, { nullable: true, deleteRule: 'set null' })
  parentVersion: DatasetVersion | null = null;

  @Property({ type: 'string' })
  createdBy!: string;
}
