import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One running parley process. It writes `heartbeatAt` every few seconds; claims
 * on messages (`message.claimed_by`) name the instance holding them, so when an
 * instance stops heart-beating (crash, kill -9, lost network) a live one takes
 * its claims over within seconds instead of waiting out a time lease.
 */
@Entity({ tableName: 'service_instance' })
export class ServiceInstance {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'datetime' })
  startedAt!: Date;

  @Property({ type: 'datetime' })
  heartbeatAt!: Date;

  /** Host name and process id, for operators reading the table. */
  @Property({ type: 'string', length: 255 })
  description!: string;
}
