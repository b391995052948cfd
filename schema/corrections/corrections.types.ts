import { Field, ID, Int, ObjectType } from 'type-graphql';
import { connectionOf } from '../common/connection.types';
import { CorrectionCategoryEnum, CorrectionStatusEnum } from '../common/enums';

@ObjectType('Correction', {
  simpleResolvers: true,
  description: "A human agent's better version of a bot reply, and where it is in the approval workflow.",
})
export class CorrectionType {
  @Field(() => ID, { description: 'Correction id.' })
  id!: string;

  @Field(() => ID, { nullable: true, description: 'The bot turn corrected, when known.' })
  interactionId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'What the customer asked; becomes the knowledge-base question on approval.',
  })
  customerMessage!: string | null;

  @Field(() => String, { description: "The bot's reply." })
  originalReply!: string;

  @Field(() => String, { description: 'The better reply; becomes the knowledge-base answer on approval.' })
  correctedReply!: string;

  @Field(() => String, { nullable: true, description: 'Why the reply was wrong.' })
  reason!: string | null;

  @Field(() => CorrectionCategoryEnum, { description: 'What was wrong.' })
  category!: CorrectionCategoryEnum;

  @Field(() => CorrectionStatusEnum, { description: 'PENDING, APPROVED or REJECTED.' })
  status!: CorrectionStatusEnum;

  @Field(() => Int, { nullable: true, description: 'Quality 0–5 (proposed by the author, set by the approver).' })
  qualityScore!: number | null;

  @Field(() => String, { description: 'Who wrote it: apikey:<key id> or slack:<user id>.' })
  authorId!: string;

  @Field(() => String, { nullable: true, description: 'Display name of the author.' })
  authorName!: string | null;

  @Field(() => String, { nullable: true, description: 'Who approved or rejected it.' })
  decidedBy!: string | null;

  @Field(() => Date, { nullable: true, description: 'When it was approved or rejected.' })
  decidedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why it was rejected.' })
  rejectionReason!: string | null;

  @Field(() => Date, { description: 'When it was written.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'Last change.' })
  updatedAt!: Date;
}

export const CorrectionConnection = connectionOf(CorrectionType, 'Correction', 'A page of corrections.');

@ObjectType('ApproveCorrectionPayload', {
  simpleResolvers: true,
  description: 'The approved correction and the knowledge-base answer learnt from it.',
})
export class ApproveCorrectionPayload {
  @Field(() => CorrectionType, { description: 'The correction, now APPROVED.' })
  correction!: CorrectionType;

  @Field(() => ID, { description: 'The active knowledge-base article created or updated from it.' })
  knowledgeArticleId!: string;
}
