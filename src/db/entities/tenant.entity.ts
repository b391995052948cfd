import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const FEEDBACK_PROMPT_FREQUENCIES = ['always', 'sometimes', 'never'] as const;
export type FeedbackPromptFrequency = (typeof FEEDBACK_PROMPT_FREQUENCIES)[number];

/** Per-tenant routing overrides; absent values fall back to the defaults in code. */
export interface RoutingSettings {
  cheapThreshold?: number;
  reasoningThreshold?: number;
  longContextTokens?: number;
  models?: Partial<Record<'cheap' | 'balanced' | 'long-context' | 'reasoning', string>>;
  fallbackOrder?: string[];
  [key: string]: unknown;
}

export interface BusinessHours {
  timezone: string;
  /** Day of week (0 = Sunday) to [open, close] in HH:MM, local time. */
  days: Partial<Record<'0' | '1' | '2' | '3' | '4' | '5' | '6', [string, string]>>;
}

/** A tenant's public business details, filled into `{{Name}}` placeholders of answers at send time. */
export interface BusinessProfile {
  companyName?: string;
  supportPhone?: string;
  supportEmail?: string;
  website?: string;
  liveChatUrl?: string;
  openingHours?: string;
  /** Free-form values by placeholder name (`{"Order History": "Account → Orders"}`). */
  values?: Record<string, string>;
}

export interface TenantSettings {
  systemPrompt?: string;
  routing?: RoutingSettings;
  feedbackPromptFrequency?: FeedbackPromptFrequency;
  /** With `sometimes`: prompt on one reply in this many (default 3). */
  feedbackPromptEvery?: number;
  businessHours?: BusinessHours;
  /** Where handed-off conversations go, e.g. a Slack channel id. */
  handoffTarget?: string;
  /** Values answers may use as `{{Name}}` placeholders (support phone, website, ...): see src/tenants/business-profile.ts. */
  profile?: BusinessProfile;
  /** Channel bindings, e.g. the WhatsApp number a tenant receives on. */
  channels?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

/** A business using parley. Its secrets live encrypted in `encryptedSecrets` and are never returned. */
@Entity({ tableName: 'tenant' })
export class Tenant {
  [OptionalProps]?: 'id' | 'settings' | 'encryptedSecrets' | 'createdAt' | 'updatedAt' | 'disabledAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', unique: true })
  name!: string;

  @Property({ type: 'json' })
  settings: TenantSettings = {};

  /** AES-256-GCM ciphertext of a JSON map (provider API keys, channel tokens). Hidden from serialisation. */
  @Property({ type: 'text', nullable: true, hidden: true, lazy: true })
  encryptedSecrets: string | null = null;

  /** Set by the platform (`disableTenant`): its API keys stop working and its channels stop answering. */
  @Property({ type: 'datetime', nullable: true })
  disabledAt: Date | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
