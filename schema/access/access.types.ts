import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { connectionOf } from '../common/connection.types';

@ObjectType('ApiKey', {
  simpleResolvers: true,
  description: "A control-plane key of the caller's tenant. Never carries the key itself or its hash.",
})
export class ApiKeyType {
  @Field(() => ID, { description: 'Key id (what revokeApiKey takes; actors in the audit log are apikey:<id>).' })
  id!: string;

  @Field(() => String, { description: 'What or who uses the key.' })
  name!: string;

  @Field(() => String, { description: 'The first characters of the key, to recognise it (pk_ and six more).' })
  prefix!: string;

  @Field(() => [String], { description: 'What the key may do: analytics:view, corrections:write, users:manage.' })
  scopes!: string[];

  @Field(() => Date, { description: 'When the key was created.' })
  createdAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description:
      'Last request made with the key, as a Bearer token or through a console session opened with it (recorded at most once a minute). Null: never used.',
  })
  lastUsedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the key was revoked; null while it works.' })
  revokedAt!: Date | null;

  @Field(() => Boolean, { description: 'True for the key making this request (or behind this console session).' })
  current!: boolean;
}

@ObjectType('CreatedApiKey', { simpleResolvers: true, description: 'A new key and, this once, its secret.' })
export class CreatedApiKeyType {
  @Field(() => String, {
    description: 'The key to send as Authorization: Bearer <key>. Shown only now: parley keeps only its hash.',
  })
  key!: string;

  @Field(() => ApiKeyType, { description: 'The key as apiKeys lists it.' })
  apiKey!: ApiKeyType;
}

@ObjectType('AuditLogEntry', { simpleResolvers: true, description: 'One audited change: who did what to what.' })
export class AuditLogEntryType {
  @Field(() => ID, { description: 'Row id.' })
  id!: string;

  @Field(() => Date, { description: 'When it happened.' })
  createdAt!: Date;

  @Field(() => String, {
    description:
      'Who: apikey:<key id>, slack:<user id>, system:<job or CLI>, public:<what>, customer:<conversation id>.',
  })
  actor!: string;

  @Field(() => String, { nullable: true, description: 'The name of the key when the actor is apikey:<id>.' })
  actorName!: string | null;

  @Field(() => String, { description: 'What, as a dotted verb: apikey.create, correction.approve, …' })
  action!: string;

  @Field(() => String, { description: 'The kind of thing changed: ApiKey, Correction, Tenant, …' })
  targetType!: string;

  @Field(() => String, { nullable: true, description: 'The id of the thing changed.' })
  targetId!: string | null;

  @Field(() => String, { nullable: true, description: 'The name of the key when the target is an ApiKey.' })
  targetName!: string | null;

  @Field(() => String, { nullable: true, description: 'The changed fields before, as JSON (null for a creation).' })
  before!: string | null;

  @Field(() => String, { nullable: true, description: 'The changed fields after, as JSON.' })
  after!: string | null;
}

export const AuditLogConnection = connectionOf(AuditLogEntryType, 'AuditLogEntry', 'A page of the audit log.');

@InputType({ description: 'Audit log filters; all optional, combined with AND.' })
export class AuditLogFilterInput {
  @Field(() => String, {
    nullable: true,
    description: 'An action (apikey.revoke) or a dotted prefix of actions (apikey: apikey.create and apikey.revoke).',
  })
  action?: string | null;

  @Field(() => String, { nullable: true, description: 'Exactly this actor, e.g. apikey:<id> or system:keys-cli.' })
  actor?: string | null;

  @Field(() => String, { nullable: true, description: 'The kind of thing changed, e.g. ApiKey.' })
  targetType?: string | null;

  @Field(() => String, { nullable: true, description: 'The id of the thing changed.' })
  targetId?: string | null;

  @Field(() => Date, { nullable: true, description: 'From (inclusive).' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'To (exclusive).' })
  to?: Date | null;
}
