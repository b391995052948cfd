import { gql } from './client';
import type { PageInfo } from './operations';

/** Knowledge-base operations of the console (validated against the schema by test/unit/web/operations.test.ts). */
export type KnowledgeStatus = 'ACTIVE' | 'RETIRED' | 'SUPERSEDED';
export type KnowledgeStatusFilter = KnowledgeStatus | 'ALL' | 'INACTIVE';

export interface KnowledgeArticle {
  id: string;
  question: string;
  answer: string;
  topic: string | null;
  source: string;
  status: KnowledgeStatus;
  version: number;
  correctionId: string | null;
  supersededById: string | null;
  retiredAt: string | null;
  createdAt: string;
  updatedAt: string;
  unfilledPlaceholders: string[];
}
const ARTICLE_FIELDS = `id question answer topic source status version correctionId supersededById retiredAt createdAt updatedAt
  unfilledPlaceholders`;

export const KNOWLEDGE_ARTICLES = gql<
  {
    knowledgeArticles: { totalCount: number; pageInfo: PageInfo; nodes: KnowledgeArticle[] };
    unfilledPlaceholders: { name: string; articleCount: number }[];
  },
  {
    first: number;
    after?: string | null;
    filter: { search?: string; status?: KnowledgeStatusFilter; topic?: string; source?: string };
  }
>(`query KnowledgeArticles($first: Int, $after: String, $filter: KnowledgeArticleFilterInput) {
  knowledgeArticles(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { endCursor hasNextPage }
    nodes { ${ARTICLE_FIELDS} }
  }
  unfilledPlaceholders { name articleCount }
}`);

export const ADD_KNOWLEDGE_ARTICLE = gql<
  { addKnowledgeArticle: { article: KnowledgeArticle; supersededArticleId: string | null } },
  { input: { question: string; answer: string; topic?: string | null } }
>(`mutation AddKnowledgeArticle($input: AddKnowledgeArticleInput!) {
  addKnowledgeArticle(input: $input) { supersededArticleId article { ${ARTICLE_FIELDS} } }
}`);

export const EDIT_KNOWLEDGE_ARTICLE = gql<
  { editKnowledgeArticle: KnowledgeArticle },
  { id: string; input: { question?: string; answer?: string; topic?: string | null } }
>(`mutation EditKnowledgeArticle($id: ID!, $input: EditKnowledgeArticleInput!) {
  editKnowledgeArticle(id: $id, input: $input) { ${ARTICLE_FIELDS} }
}`);

export const RETIRE_KNOWLEDGE_ARTICLE = gql<
  { retireKnowledgeArticle: KnowledgeArticle },
  { id: string; reason?: string | null }
>(`mutation RetireKnowledgeArticle($id: ID!, $reason: String) {
  retireKnowledgeArticle(id: $id, reason: $reason) { ${ARTICLE_FIELDS} }
}`);

export const RESTORE_KNOWLEDGE_ARTICLE = gql<
  { restoreKnowledgeArticle: { article: KnowledgeArticle; supersededArticleId: string | null } },
  { id: string }
>(`mutation RestoreKnowledgeArticle($id: ID!) {
  restoreKnowledgeArticle(id: $id) { supersededArticleId article { ${ARTICLE_FIELDS} } }
}`);

export interface KnowledgeImportSummary {
  rows: number;
  added: number;
  updated: number;
  skipped: number;
  skippedRows: number[];
  skippedReasons: { reason: string; count: number }[];
}

export const IMPORT_KNOWLEDGE_ARTICLES = gql<
  { importKnowledgeArticles: KnowledgeImportSummary },
  {
    input: {
      content: string;
      format: 'CSV' | 'JSONL';
      mapping?: { question?: string; answer?: string; topic?: string };
    };
  }
>(`mutation ImportKnowledgeArticles($input: ImportKnowledgeInput!) {
  importKnowledgeArticles(input: $input) { rows added updated skipped skippedRows skippedReasons { reason count } }
}`);

export const KNOWLEDGE_OPERATIONS = {
  KNOWLEDGE_ARTICLES,
  ADD_KNOWLEDGE_ARTICLE,
  EDIT_KNOWLEDGE_ARTICLE,
  RETIRE_KNOWLEDGE_ARTICLE,
  RESTORE_KNOWLEDGE_ARTICLE,
  IMPORT_KNOWLEDGE_ARTICLES,
};
