import { Entity, Index, ManyToOne, OptionalProps, Property, Unique } from '@mikro-orm/core';
import { AgentInteraction } from './agent-interaction.entity';
import { Conversation } from './conversation.entity';
import { HumanCorrection } from './human-correction.entity';
import { TenantScoped } from './tenant-scoped';

export type WorkspacePlatform = 'slack';
/** handoff: a conversation waiting for or with a human; review: a bot reply to check; correction: a correction awaiting a decision. */
export type WorkspacePostPurpose = 'handoff' | 'review' | 'correction';

/**
 * A message parley posted in the team's workspace (a Slack channel today),
 * remembered so that buttons, thread replies and later updates find their
 * conversation, interaction or correction again.
 */
@Entity({ tableName: 'workspace_post' })
@Unique({ properties: ['platform', 'channelId', 'postId'] })
@Index({ properties: ['tenant', 'purpose', 'conversation'] })
@Index({ properties: ['tenant', 'interaction'] })
@Index({ properties: ['correction'] })
export class WorkspacePost extends TenantScoped {
  [OptionalProps]?:
    | 'id'
    | 'createdAt'
    | 'updatedAt'
    | 'platform'
    | 'conversation'
    | 'interaction'
    | 'correction'
    | 'labels'
    | 'assignee'
    | 'assignedAt'
    | 'closedAt';

  @Property({ type: 'string' })
  platform: WorkspacePlatform = 'slack';

  @Property({ type: 'string' })
  purpose!: WorkspacePostPurpose;

  /** The platform's channel id (Slack `C…`). */
  @Property({ type: 'string' })
  channelId!: string;

  /** The platform's message id (Slack `ts`); thread replies carry it as `thread_ts`. */
  @Property({ type: 'string' })
  postId!: string;

  @ManyToOne(() => Conversation, { nullable: true, deleteRule: 'cascade' })
  conversation: Conversation | null = null;

  @ManyToOne(() => AgentInteraction, { nullable: true, deleteRule: 'cascade' })
  interaction: AgentInteraction | null = null;

  @ManyToOne(() => HumanCorrection, { nullable: true, deleteRule: 'cascade' })
  correction: HumanCorrection | null = null;

  /** Why a review post was made (`thumbs_down`, `handoff`, `sample`), shown on the post. */
  @Property({ type: 'json' })
  labels: string[] = [];

  /** Handoff: the platform user who took the conversation. */
  @Property({ type: 'string', nullable: true })
  assignee: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  assignedAt: Date | null = null;

  /** Handoff: when the conversation went back to the bot (the post no longer accepts replies). */
  @Property({ type: 'datetime', nullable: true })
  closedAt: Date | null = null;

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
