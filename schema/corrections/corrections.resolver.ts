import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import {
  approveCorrection,
  createCorrection,
  findCorrection,
  listCorrections,
  rejectCorrection,
} from '../../src/corrections/correction-service';
import type { HumanCorrection } from '../../src/db/entities';
import { toConnection } from '../common/connection.types';
import { callerOf, type GraphqlContext } from '../common/context';
import { CorrectionStatusEnum, type CorrectionCategoryEnum } from '../common/enums';
import { CorrectionFilterInput, CreateCorrectionInput } from './corrections.input';
import { ApproveCorrectionPayload, CorrectionConnection, CorrectionType } from './corrections.types';

export function toCorrection(row: HumanCorrection): CorrectionType {
  return {
    id: row.id,
    interactionId: row.interaction?.id ?? null,
    customerMessage: row.customerMessage,
    originalReply: row.originalReply,
    correctedReply: row.correctedReply,
    reason: row.reason,
    // Columns hold exactly the enums' values (checked by the migration's constraints).
    category: row.category as CorrectionCategoryEnum,
    status: row.status as CorrectionStatusEnum,
    qualityScore: row.qualityScore,
    authorId: row.authorId,
    authorName: row.authorName,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt,
    rejectionReason: row.rejectionReason,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const pageArguments = {
  first: { nullable: true, description: 'Page size, 1–100 (default 20).' },
  after: { nullable: true, description: 'endCursor of the previous page.' },
} as const;

@Resolver()
export class CorrectionsResolver {
  @Authorized('analytics:view')
  @Query(() => CorrectionConnection, { description: 'Corrections, newest first. Scope: analytics:view.' })
  async corrections(
    @Ctx() context: GraphqlContext,
    @Arg('filter', () => CorrectionFilterInput, { nullable: true, description: 'Filters; all optional.' })
    filter: CorrectionFilterInput | null,
    @Arg('first', () => Int, pageArguments.first) first: number | null,
    @Arg('after', () => String, pageArguments.after) after: string | null,
  ) {
    const page = await listCorrections(context.em, { tenantId: callerOf(context).tenantId, filter, first, after });
    return toConnection({ ...page, nodes: page.nodes.map(toCorrection) });
  }

  @Authorized('analytics:view')
  @Query(() => CorrectionConnection, {
    description: 'Approved corrections (the training data), newest first. Scope: analytics:view.',
  })
  async approvedCorrections(
    @Ctx() context: GraphqlContext,
    @Arg('filter', () => CorrectionFilterInput, {
      nullable: true,
      description: 'Filters; status is ignored (always APPROVED).',
    })
    filter: CorrectionFilterInput | null,
    @Arg('first', () => Int, pageArguments.first) first: number | null,
    @Arg('after', () => String, pageArguments.after) after: string | null,
  ) {
    const page = await listCorrections(context.em, {
      tenantId: callerOf(context).tenantId,
      filter: { ...(filter ?? {}), status: CorrectionStatusEnum.APPROVED },
      first,
      after,
    });
    return toConnection({ ...page, nodes: page.nodes.map(toCorrection) });
  }

  @Authorized('analytics:view')
  @Query(() => CorrectionType, {
    nullable: true,
    description: 'One correction, or null when there is none with this id. Scope: analytics:view.',
  })
  async correction(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, { description: 'Correction id.' }) id: string,
  ): Promise<CorrectionType | null> {
    const row = await findCorrection(context.em, { tenantId: callerOf(context).tenantId, correctionId: id });
    return row ? toCorrection(row) : null;
  }

  @Authorized('corrections:write')
  @Mutation(() => CorrectionType, {
    description: 'Writes a PENDING correction of a bot reply. Audited. Scope: corrections:write.',
  })
  async createCorrection(
    @Ctx() context: GraphqlContext,
    @Arg('input', () => CreateCorrectionInput, { description: 'The correction.' }) input: CreateCorrectionInput,
  ): Promise<CorrectionType> {
    const caller = callerOf(context);
    const row = await createCorrection(context.em, { ...input, tenantId: caller.tenantId, actor: caller.actor });
    return toCorrection(row);
  }

  @Authorized('users:manage')
  @Mutation(() => ApproveCorrectionPayload, {
    description:
      'Approves a PENDING correction (CONFLICT otherwise): records who and when, and makes the corrected reply an active knowledge-base answer at once. Audited. Scope: users:manage.',
  })
  async approveCorrection(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, { description: 'Correction id.' }) id: string,
    @Arg('qualityScore', () => Int, {
      nullable: true,
      description: 'Quality 0–5; keeps the proposed score when omitted.',
    })
    qualityScore: number | null,
  ): Promise<ApproveCorrectionPayload> {
    const caller = callerOf(context);
    const result = await approveCorrection(
      context.em,
      { tenantId: caller.tenantId, actor: caller.actor, correctionId: id, qualityScore },
      { events: context.services.events },
    );
    return { correction: toCorrection(result.correction), knowledgeArticleId: result.article.id };
  }

  @Authorized('users:manage')
  @Mutation(() => CorrectionType, {
    description: 'Rejects a PENDING correction (CONFLICT otherwise) with a reason. Audited. Scope: users:manage.',
  })
  async rejectCorrection(
    @Ctx() context: GraphqlContext,
    @Arg('id', () => ID, { description: 'Correction id.' }) id: string,
    @Arg('reason', () => String, { description: 'Why, 1–1000 characters.' }) reason: string,
  ): Promise<CorrectionType> {
    const caller = callerOf(context);
    return toCorrection(
      await rejectCorrection(context.em, { tenantId: caller.tenantId, actor: caller.actor, correctionId: id, reason }),
    );
  }
}
