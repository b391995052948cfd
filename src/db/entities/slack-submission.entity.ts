import { Entity, Index, OptionalProps, Property, Unique } from '@mikro-orm/core';
import { TenantScoped } from './tenant-scoped';

/**
 * A Slack modal submission already acted on, by a hash of the view id and the
 * submitted values. Slack retries a submission it did not see acknowledged and
 * anyone holding a signed request could replay it; the row is written in the
 * transaction that acts, so a second delivery (on any instance) finds it and
 * does nothing. Rows older than a week are pruned: Slack retries within minutes
 * and refuses requests with timestamps older than five.
 */
@Entity({ tableName: 'slack_submission' })
@Index({ properties: ['tenant', 'createdAt'] })
export class SlackSubmission extends TenantScoped {
  [OptionalProps]?: 'id' | 'createdAt';

  /** SHA-256 (hex) of the view id and the submitted values. */
  @Property({ type: 'string', length: 64 })
  @Unique()
  key!: string;
}
