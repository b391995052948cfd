import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { BusinessProfile, KnowledgeArticle, KnowledgeArticleRevision } from '../../src/db/entities';
import { placeholderSource, placeholdersIn, profileValue } from '../../src/engine/placeholders';
import { parseImport, type ColumnMapping } from '../../src/knowledge/knowledge-file';
import { importArticles } from '../../src/knowledge/knowledge-import';
import {
  addArticle,
  allArticles,
  articleHistory,
  editArticle,
  findArticle,
  listArticles,
  restoreArticle,
  retireArticle,
  type ArticleStatusFilter,
} from '../../src/knowledge/knowledge-service';
import type { KnowledgeSource } from '../../src/db/entities';
import { getBusinessProfile } from '../../src/tenants/business-profile';
import { toConnection } from '../common/connection.types';
import { callerOf, type GraphqlContext } from '../common/context';
import {
  AddKnowledgeArticleInput,
  EditKnowledgeArticleInput,
  ImportKnowledgeInput,
  ImportSummaryType,
  KnowledgeArticleConnection,
  KnowledgeArticleFilterInput,
  KnowledgeArticleStatusEnum,
  KnowledgeArticleType,
  KnowledgeChangePayload,
  KnowledgeRevisionType,
  PlaceholderSourceEnum,
  UnfilledPlaceholderType,
} from './knowledge.types';

const READ_SCOPES = ['analytics:view', 'corrections:write', 'users:manage'];

function toArticle(row: KnowledgeArticle, profile: BusinessProfile): KnowledgeArticleType {
  const placeholders = placeholdersIn(row.answer).map((name) => {
    // The service returns one of these three strings; the enum holds exactly them.
    const source = placeholderSource(name, profile) as PlaceholderSourceEnum;
    return {
      name,
      source,
      filledByProfile: source === PlaceholderSourceEnum.PROFILE && profileValue(name, profile) !== null,
    };
  });
  return {
    id: row.id,
    question: row.question,
    answer: row.answer,
    topic: row.topic,
    source: row.source,
    status: row.active
      ? KnowledgeArticleStatusEnum.ACTIVE
      : row.retiredReason === 'superseded'
        ? KnowledgeArticleStatusEnum.SUPERSEDED
        : KnowledgeArticleStatusEnum.RETIRED,
    version: row.version,
    supersededById: row.supersededBy?.id ?? null,
    correctionId: row.correction?.id ?? null,
    placeholders,
    unfilledPlaceholders: placeholders
      .filter((placeholder) => placeholder.source !== PlaceholderSourceEnum.CUSTOMER && !placeholder.filledByProfile)
      .map((placeholder) => placeholder.name),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    retiredAt: row.retiredAt,
  };
}

function toRevision(row: KnowledgeArticleRevision): KnowledgeRevisionType {
  return {
    id: row.id,
    articleId: row.article.id,
    version: row.version,
    action: row.action,
    question: row.question,
    answer: row.answer,
    topic: row.topic,
    active: row.active,
    actor: row.actor,
    note: row.note,
    createdAt: row.createdAt,
  };
}

@Resolver()
export class KnowledgeResolver {
  @Authorized(...READ_SCOPES)
  @Query(() => KnowledgeArticleConnection, {
    description:
      'Knowledge articles, newest first (default: ACTIVE only). Scope: analytics:view, corrections:write or users:manage.',
  })
  async knowledgeArticles(
    @Ctx() context: GraphqlContext,
    @Arg('filter', () => KnowledgeArticleFilterInput, { nullable: true, description: 'Filters; all optional.' })
    filter: KnowledgeArticleFilterInput | null,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1–100 (default 20).' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' })
    after: string | null,
  ) {
    const tenantId = callerOf(context).tenantId;
    const page = await listArticles(context.em, {
      tenantId,
      // The GraphQL enums carry exactly the service's strings.
      filter: {
        status: (filter?.status ?? null) as ArticleStatusFilter | null,
        topic: filter?.topic,
        source: (filter?.source ?? null) as KnowledgeSource | null,
        search: filter?.search,
      },
      first,
      after,
    });
    const profile = await getBusinessProfile(context.em, tenantId);
    return toConnection({ ...page, nodes: page.nodes.map((row) => toArticle(row, profile)) });
  }

  @Authorized(...READ_SCOPES)
  @Query(() => KnowledgeArticleType, {
    nullable: true,
    description: 'One article, or null. Scope: analytics:view, corrections:write or users:manage.',
  })
  async knowledgeArticle(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, { description: 'Article id.' }) id: string,
  ): Promise<KnowledgeArticleType | null> {
    const tenantId = callerOf(context).tenantId;
    const row = await findArticle(context.em, { tenantId, articleId: id });
    return row ? toArticle(row, await getBusinessProfile(context.em, tenantId)) : null;
  }

  @Authorized(...READ_SCOPES)
  @Query(() => [KnowledgeRevisionType], {
    description:
      'Every version of an article and of the earlier articles it superseded, newest first. Scope: analytics:view, corrections:write or users:manage.',
  })
  async knowledgeArticleHistory(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, { description: 'Article id.' }) id: string,
  ): Promise<KnowledgeRevisionType[]> {
    return (await articleHistory(context.em, { tenantId: callerOf(context).tenantId, articleId: id })).map(toRevision);
  }

  @Authorized(...READ_SCOPES)
  @Query(() => [UnfilledPlaceholderType], {
    description:
      'Placeholders active answers use that neither the business profile nor the customer fills, most used first. Scope: analytics:view, corrections:write or users:manage.',
  })
  async unfilledPlaceholders(@Ctx() context: GraphqlContext): Promise<UnfilledPlaceholderType[]> {
    const tenantId = callerOf(context).tenantId;
    const profile = await getBusinessProfile(context.em, tenantId);
    const byName = new Map<string, string[]>();
    for (const row of await allArticles(context.em, { tenantId, filter: { status: 'active', search: '{{' } })) {
      for (const name of toArticle(row, profile).unfilledPlaceholders)
        byName.set(name, [...(byName.get(name) ?? []), row.id]);
    }
    return [...byName.entries()]
      .map(([name, ids]) => ({ name, articleCount: ids.length, articleIds: ids.slice(0, 20) }))
      .sort((left, right) => right.articleCount - left.articleCount || left.name.localeCompare(right.name));
  }

  @Authorized('users:manage')
  @Mutation(() => KnowledgeChangePayload, {
    description:
      'Adds an article; it supersedes the active article for the same question (case, punctuation and spacing ignored). Audited. Scope: users:manage.',
  })
  async addKnowledgeArticle(
    @Ctx() context: GraphqlContext,
    @Arg('input', () => AddKnowledgeArticleInput, { description: 'The article.' }) input: AddKnowledgeArticleInput,
  ): Promise<KnowledgeChangePayload> {
    const caller = callerOf(context);
    const { article, superseded } = await addArticle(
      context.em,
      { tenantId: caller.tenantId, actor: caller.actor, ...input },
      { events: context.services.events },
    );
    return {
      article: toArticle(article, await getBusinessProfile(context.em, caller.tenantId)),
      supersededArticleId: superseded?.id ?? null,
    };
  }

  @Authorized('users:manage')
  @Mutation(() => KnowledgeArticleType, {
    description: 'Edits an article in place (a new version). Audited. Scope: users:manage.',
  })
  async editKnowledgeArticle(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, { description: 'Article id.' }) id: string,
    @Arg('input', () => EditKnowledgeArticleInput, { description: 'The changes.' }) input: EditKnowledgeArticleInput,
  ): Promise<KnowledgeArticleType> {
    const caller = callerOf(context);
    const article = await editArticle(
      context.em,
      { tenantId: caller.tenantId, actor: caller.actor, articleId: id, ...input },
      { events: context.services.events },
    );
    return toArticle(article, await getBusinessProfile(context.em, caller.tenantId));
  }

  @Authorized('users:manage')
  @Mutation(() => KnowledgeArticleType, {
    description: 'Stops an article answering (kept, restorable). Audited. Scope: users:manage.',
  })
  async retireKnowledgeArticle(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, { description: 'Article id.' }) id: string,
    @Arg('reason', () => String, { nullable: true, description: 'Why, for the history.' }) reason: string | null,
  ): Promise<KnowledgeArticleType> {
    const caller = callerOf(context);
    const article = await retireArticle(
      context.em,
      { tenantId: caller.tenantId, actor: caller.actor, articleId: id, reason },
      { events: context.services.events },
    );
    return toArticle(article, await getBusinessProfile(context.em, caller.tenantId));
  }

  @Authorized('users:manage')
  @Mutation(() => KnowledgeChangePayload, {
    description:
      'Makes a retired or superseded article answer again; the article answering its question now is superseded by it. Audited. Scope: users:manage.',
  })
  async restoreKnowledgeArticle(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, { description: 'Article id.' }) id: string,
  ): Promise<KnowledgeChangePayload> {
    const caller = callerOf(context);
    const { article, superseded } = await restoreArticle(
      context.em,
      { tenantId: caller.tenantId, actor: caller.actor, articleId: id },
      { events: context.services.events },
    );
    return {
      article: toArticle(article, await getBusinessProfile(context.em, caller.tenantId)),
      supersededArticleId: superseded?.id ?? null,
    };
  }

  @Authorized('users:manage')
  @Mutation(() => ImportSummaryType, {
    description:
      'Imports CSV or JSONL rows as articles; unchanged rows are skipped, so re-running is harmless. Audited. Scope: users:manage.',
  })
  async importKnowledgeArticles(
    @Ctx() context: GraphqlContext,
    @Arg('input', () => ImportKnowledgeInput, { description: 'Format, content and column mapping.' })
    input: ImportKnowledgeInput,
  ): Promise<ImportSummaryType> {
    const caller = callerOf(context);
    const mapping: ColumnMapping = {};
    if (input.mapping?.question) mapping.question = input.mapping.question;
    if (input.mapping?.answer) mapping.answer = input.mapping.answer;
    if (input.mapping?.topic) mapping.topic = input.mapping.topic;
    const { rows } = parseImport(input.content, input.format, mapping);
    const summary = await importArticles(context.em, {
      tenantId: caller.tenantId,
      actor: caller.actor,
      rows,
      label: 'graphql',
      events: context.services.events,
    });
    return {
      rows: summary.rows,
      added: summary.added,
      updated: summary.updated,
      skipped: summary.skipped,
      skippedReasons: Object.entries(summary.skippedReasons).map(([reason, count]) => ({ reason, count })),
      skippedRows: summary.skippedExamples.map((example) => example.row),
    };
  }
}
