import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType('LearningFigures', {
  simpleResolvers: true,
  description: 'The feedback loop over the range. Rates are fractions in [0, 1]; null when their denominator is 0.',
})
export class LearningFiguresType {
  @Field(() => Int, { description: 'Bot replies sent in the range.' })
  botReplies!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Feedback collection rate = replies with a 👍/👎 / bot replies. Target > 0.30.',
  })
  feedbackCollectionRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Commented feedback share = votes with a comment / votes.' })
  commentedFeedbackShare!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Downvotes corrected rate = 👎 replies with a human correction / 👎 replies.',
  })
  downvotesCorrectedRate!: number | null;

  @Field(() => Int, { description: 'Corrections written in the range.' })
  correctionsWritten!: number;

  @Field(() => Int, { description: 'Corrections approved in the range (by decision time).' })
  correctionsApproved!: number;

  @Field(() => Int, { description: 'Corrections rejected in the range (by decision time).' })
  correctionsRejected!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Correction approval rate = approved / (approved + rejected), decisions in the range.',
  })
  correctionApprovalRate!: number | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'Time to approval (mean) = mean of (decided at − written at) of corrections approved in the range, hours.',
  })
  averageHoursToApproval!: number | null;

  @Field(() => Float, { nullable: true, description: 'Time to approval (median), hours.' })
  medianHoursToApproval!: number | null;

  @Field(() => Int, {
    description:
      'Corrections in effect = corrections approved in the range whose knowledge article a reply has used since.',
  })
  correctionsInEffect!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'Time to effect (mean) = mean of (first reply using the correction’s article − approval) over correctionsInEffect, hours.',
  })
  averageHoursToEffect!: number | null;

  @Field(() => Float, { nullable: true, description: 'Time to effect (median), hours.' })
  medianHoursToEffect!: number | null;

  @Field(() => Int, { description: 'Knowledge articles created from corrections in the range (training data growth).' })
  articlesFromCorrections!: number;

  @Field(() => Float, {
    description: 'Learning velocity = corrections approved in the range / weeks in the range (per week).',
  })
  learningVelocityPerWeek!: number;
}

@ObjectType('CorrectionWeek', { simpleResolvers: true, description: 'Corrections of one UTC week (Monday start).' })
export class CorrectionWeekType {
  @Field(() => Date, { description: 'Monday 00:00 UTC.' })
  weekStart!: Date;

  @Field(() => Int, { description: 'Corrections written that week.' })
  written!: number;

  @Field(() => Int, { description: 'Corrections approved that week.' })
  approved!: number;

  @Field(() => Int, { description: 'Corrections rejected that week.' })
  rejected!: number;
}

@ObjectType('ArticlePerformance', {
  simpleResolvers: true,
  description: 'A knowledge article the replies of the range used (agent_interaction.article_ids), and how they did.',
})
export class ArticlePerformanceType {
  @Field(() => ID, { description: 'Knowledge article id.' })
  articleId!: string;

  @Field(() => String, { nullable: true, description: 'Its question (null when the article was deleted).' })
  question!: string | null;

  @Field(() => String, { nullable: true, description: 'Its topic.' })
  topic!: string | null;

  @Field(() => String, { nullable: true, description: 'seed, manual, correction or import.' })
  source!: string | null;

  @Field(() => Int, { description: 'Uses = replies that used it.' })
  uses!: number;

  @Field(() => Int, { description: 'Conversations with such a reply.' })
  conversations!: number;

  @Field(() => Int, { description: 'Those replies with a 👍/👎.' })
  votes!: number;

  @Field(() => Float, { nullable: true, description: 'Positive-feedback rate = 👍 / votes over those replies.' })
  positiveFeedbackRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Response quality score 1–5 of those replies.' })
  qualityScore!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Handoff rate = those conversations handed to a human / those conversations.',
  })
  handoffRate!: number | null;
}

@ObjectType('TopicGap', {
  simpleResolvers: true,
  description:
    "A topic (of the first article a reply used; '(no article)' when none) with its 👎 and handoffs: what to teach next.",
})
export class TopicGapType {
  @Field(() => String, { description: 'The topic.' })
  topic!: string;

  @Field(() => Int, { description: 'Bot replies on the topic.' })
  replies!: number;

  @Field(() => Int, { description: '👎 on those replies.' })
  downvotes!: number;

  @Field(() => Int, { description: 'Conversations with a reply on the topic that were handed to a human.' })
  handedOffConversations!: number;

  @Field(() => Int, { description: 'Conversations with a reply on the topic.' })
  conversations!: number;

  @Field(() => Float, { nullable: true, description: 'Handoff rate = handedOffConversations / conversations.' })
  handoffRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Downvote rate = downvotes / replies.' })
  downvoteRate!: number | null;

  @Field(() => [ID], {
    description:
      'Up to three conversations of the topic with a 👎 or a handoff (ids, sorted), to read before teaching.',
  })
  exampleConversationIds!: string[];
}

@ObjectType('LearningAnalytics', {
  simpleResolvers: true,
  description: 'Feedback-loop analytics: feedback collected, corrections, their approval and effect, articles, gaps.',
})
export class LearningAnalyticsType {
  @Field(() => LearningFiguresType, { description: 'Figures over the range.' })
  totals!: LearningFiguresType;

  @Field(() => [CorrectionWeekType], { description: 'Corrections per week, oldest first (weeks with any).' })
  weeks!: CorrectionWeekType[];

  @Field(() => [ArticlePerformanceType], { description: 'Most used articles first.' })
  articles!: ArticlePerformanceType[];

  @Field(() => [TopicGapType], { description: 'Topics with the most handoffs + 👎 first.' })
  gaps!: TopicGapType[];
}
