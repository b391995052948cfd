import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { connectionOf } from '../common/connection.types';

export enum KnowledgeArticleStatusEnum {
  ACTIVE = 'active',
  RETIRED = 'retired',
  SUPERSEDED = 'superseded',
}
registerEnumType(KnowledgeArticleStatusEnum, {
  name: 'KnowledgeArticleStatus',
  description:
    'ACTIVE articles answer customers; RETIRED ones were taken out by an operator; SUPERSEDED ones were replaced by a newer answer to the same question.',
});

export enum KnowledgeStatusFilterEnum {
  ACTIVE = 'active',
  RETIRED = 'retired',
  SUPERSEDED = 'superseded',
  INACTIVE = 'inactive',
  ALL = 'all',
}
registerEnumType(KnowledgeStatusFilterEnum, {
  name: 'KnowledgeStatusFilter',
  description: 'Which articles to list; INACTIVE = RETIRED or SUPERSEDED.',
});

export enum PlaceholderSourceEnum {
  PROFILE = 'profile',
  CUSTOMER = 'customer',
  UNKNOWN = 'unknown',
}
registerEnumType(PlaceholderSourceEnum, {
  name: 'PlaceholderSource',
  description:
    "Where a {{Name}} value comes from: the business profile, what the customer wrote (order numbers...), or nowhere known yet (add it to the profile's values).",
});

export enum ImportFormatEnum {
  CSV = 'csv',
  JSONL = 'jsonl',
}
registerEnumType(ImportFormatEnum, {
  name: 'ImportFormat',
  description: 'CSV with a header row, or JSON Lines (one object a line).',
});

@ObjectType('ArticlePlaceholder', {
  simpleResolvers: true,
  description: 'A {{Name}} placeholder of an answer and whether it can be filled.',
})
export class ArticlePlaceholderType {
  @Field(() => String, { description: 'The name as written in the answer.' })
  name!: string;

  @Field(() => PlaceholderSourceEnum, { description: 'Where its value comes from.' })
  source!: PlaceholderSourceEnum;

  @Field(() => Boolean, {
    description:
      'True when the business profile fills it now (always false for customer values, filled per conversation).',
  })
  filledByProfile!: boolean;
}

@ObjectType('KnowledgeArticle', {
  simpleResolvers: true,
  description: 'An answer the knowledge base gives to a customer question.',
})
export class KnowledgeArticleType {
  @Field(() => ID, { description: 'Article id.' })
  id!: string;

  @Field(() => String, { description: 'A typical customer question.' })
  question!: string;

  @Field(() => String, { description: 'The answer; may hold {{Name}} placeholders filled at send time.' })
  answer!: string;

  @Field(() => String, { nullable: true, description: 'Topic label (lower case), e.g. order, refund.' })
  topic!: string | null;

  @Field(() => String, { description: 'Where it came from: seed, manual, correction or import.' })
  source!: string;

  @Field(() => KnowledgeArticleStatusEnum, { description: 'ACTIVE, RETIRED or SUPERSEDED.' })
  status!: KnowledgeArticleStatusEnum;

  @Field(() => Int, { description: 'Starts at 1; each change adds one.' })
  version!: number;

  @Field(() => ID, { nullable: true, description: 'The article that replaced this one, when SUPERSEDED.' })
  supersededById!: string | null;

  @Field(() => ID, { nullable: true, description: 'The correction it was learnt from, if any.' })
  correctionId!: string | null;

  @Field(() => [ArticlePlaceholderType], { description: 'Its {{Name}} placeholders.' })
  placeholders!: ArticlePlaceholderType[];

  @Field(() => [String], {
    description:
      'Placeholders nothing fills: parts of the answer holding them are left out when sent. Set them in the business profile.',
  })
  unfilledPlaceholders!: string[];

  @Field(() => Date, { description: 'Created.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'Last change.' })
  updatedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it stopped being active.' })
  retiredAt!: Date | null;
}

export const KnowledgeArticleConnection = connectionOf(
  KnowledgeArticleType,
  'KnowledgeArticle',
  'A page of knowledge articles.',
);

@ObjectType('KnowledgeArticleRevision', {
  simpleResolvers: true,
  description: 'One version of an article: what it said after a change, who changed it and why.',
})
export class KnowledgeRevisionType {
  @Field(() => ID, { description: 'Revision id.' })
  id!: string;

  @Field(() => ID, { description: 'The article (an earlier article for the same question, when it was superseded).' })
  articleId!: string;

  @Field(() => Int, { description: "The article's version after this change." })
  version!: number;

  @Field(() => String, { description: 'create, edit, retire, restore, supersede or import.' })
  action!: string;

  @Field(() => String, { description: 'Question after the change.' })
  question!: string;

  @Field(() => String, { description: 'Answer after the change.' })
  answer!: string;

  @Field(() => String, { nullable: true, description: 'Topic after the change.' })
  topic!: string | null;

  @Field(() => Boolean, { description: 'Whether it answered customers after the change.' })
  active!: boolean;

  @Field(() => String, { description: 'Who: apikey:<id>, slack:<user>, system:<tool>.' })
  actor!: string;

  @Field(() => String, { nullable: true, description: 'Why (a reason, the import, the correction).' })
  note!: string | null;

  @Field(() => Date, { description: 'When.' })
  createdAt!: Date;
}

@ObjectType('KnowledgeArticleChange', {
  simpleResolvers: true,
  description: 'An article after a change, and the one it replaced, if any.',
})
export class KnowledgeChangePayload {
  @Field(() => KnowledgeArticleType, { description: 'The article.' })
  article!: KnowledgeArticleType;

  @Field(() => ID, { nullable: true, description: 'The article it superseded (same normalised question), if any.' })
  supersededArticleId!: string | null;
}

@ObjectType('UnfilledPlaceholder', {
  simpleResolvers: true,
  description: 'A placeholder that active answers use and nothing fills.',
})
export class UnfilledPlaceholderType {
  @Field(() => String, { description: 'The placeholder name.' })
  name!: string;

  @Field(() => Int, { description: 'Active articles using it.' })
  articleCount!: number;

  @Field(() => [ID], { description: 'Up to 20 of those articles.' })
  articleIds!: string[];
}

@ObjectType('SkippedCount', { simpleResolvers: true, description: 'How many rows were skipped for one reason.' })
export class SkippedCountType {
  @Field(() => String, { description: 'The reason.' })
  reason!: string;

  @Field(() => Int, { description: 'Rows skipped for it.' })
  count!: number;
}

@ObjectType('KnowledgeImportSummary', {
  simpleResolvers: true,
  description: 'What an import did. Re-importing the same rows adds and updates nothing.',
})
export class ImportSummaryType {
  @Field(() => Int, { description: 'Rows read.' })
  rows!: number;

  @Field(() => Int, { description: 'New articles.' })
  added!: number;

  @Field(() => Int, { description: 'Articles replaced by a newer answer (or given a topic).' })
  updated!: number;

  @Field(() => Int, { description: 'Rows not imported.' })
  skipped!: number;

  @Field(() => [SkippedCountType], { description: 'Skipped rows by reason.' })
  skippedReasons!: SkippedCountType[];

  @Field(() => [Int], { description: 'Row numbers of the first skipped rows (at most 20).' })
  skippedRows!: number[];
}

@InputType({ description: 'A new article.' })
export class AddKnowledgeArticleInput {
  @Field(() => String, { description: 'A typical customer question (1–2000 characters).' })
  question!: string;

  @Field(() => String, { description: 'The answer (1–8000 characters); may use {{Name}} placeholders.' })
  answer!: string;

  @Field(() => String, { nullable: true, description: 'Topic label.' })
  topic?: string | null;
}

@InputType({ description: 'Changes to an article; omitted fields stay. A null topic removes it.' })
export class EditKnowledgeArticleInput {
  @Field(() => String, { nullable: true, description: 'New question.' })
  question?: string | null;

  @Field(() => String, { nullable: true, description: 'New answer.' })
  answer?: string | null;

  @Field(() => String, { nullable: true, description: 'New topic (null removes it).' })
  topic?: string | null;
}

@InputType({ description: 'Filters; all optional.' })
export class KnowledgeArticleFilterInput {
  @Field(() => KnowledgeStatusFilterEnum, { nullable: true, description: 'Default ACTIVE.' })
  status?: KnowledgeStatusFilterEnum | null;

  @Field(() => String, { nullable: true, description: 'Topic label.' })
  topic?: string | null;

  @Field(() => String, { nullable: true, description: 'seed, manual, correction or import.' })
  source?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Text to find in the question (case, punctuation and spacing ignored) or the answer.',
  })
  search?: string | null;
}

@InputType({
  description:
    'Which column holds which field; omitted fields use the usual names (question|instruction, answer|response, topic|category).',
})
export class ImportMappingInput {
  @Field(() => String, { nullable: true, description: 'Column of the question.' })
  question?: string | null;

  @Field(() => String, { nullable: true, description: 'Column of the answer.' })
  answer?: string | null;

  @Field(() => String, { nullable: true, description: 'Column of the topic.' })
  topic?: string | null;
}

@InputType({
  description: 'Rows to import (up to the 1 MB request limit; use npm run knowledge -- import for big files).',
})
export class ImportKnowledgeInput {
  @Field(() => ImportFormatEnum, { description: 'CSV or JSONL.' })
  format!: ImportFormatEnum;

  @Field(() => String, { description: 'The file content.' })
  content!: string;

  @Field(() => ImportMappingInput, { nullable: true, description: 'Column mapping.' })
  mapping?: ImportMappingInput | null;
}
