import { gql } from './client';

/**
 * The tenant's channel settings (WhatsApp, Slack) on the Settings page and its
 * business profile on the Knowledge page. Secrets (the Twilio auth token, the
 * Slack bot token) are write-only: the API answers only whether one is set.
 */
export interface WhatsAppSettings {
  numbers: string[];
  messagingServiceSid: string | null;
  accountSid: string | null;
  completedActionKeywords: string[];
  authTokenSet: boolean;
}
export interface WhatsAppSettingsInput {
  numbers?: string[];
  messagingServiceSid?: string | null;
  accountSid?: string | null;
  completedActionKeywords?: string[] | null;
  /** A value sets it, null clears it, omitted keeps it. */
  authToken?: string | null;
}
const WHATSAPP_FIELDS = 'numbers messagingServiceSid accountSid completedActionKeywords authTokenSet';

export const WHATSAPP_SETTINGS = gql<{ whatsAppSettings: WhatsAppSettings | null }>(
  `query WhatsAppSettings { whatsAppSettings { ${WHATSAPP_FIELDS} } }`,
);

export const UPDATE_WHATSAPP_SETTINGS = gql<
  { updateWhatsAppSettings: WhatsAppSettings },
  { input: WhatsAppSettingsInput }
>(
  `mutation UpdateWhatsAppSettings($input: WhatsAppSettingsInput!) { updateWhatsAppSettings(input: $input) { ${WHATSAPP_FIELDS} } }`,
);

export interface SlackSettings {
  handoffChannel: string | null;
  reviewChannel: string | null;
  oncallChannel: string | null;
  approvers: string[];
  reviewSampleRate: number;
  idleReleaseMinutes: number;
  botTokenSet: boolean;
}
export interface SlackSettingsInput {
  handoffChannel?: string | null;
  reviewChannel?: string | null;
  oncallChannel?: string | null;
  approvers?: string[] | null;
  reviewSampleRate?: number | null;
  idleReleaseMinutes?: number | null;
  /** A value sets it, null clears it, omitted keeps it. */
  botToken?: string | null;
}
const SLACK_FIELDS =
  'handoffChannel reviewChannel oncallChannel approvers reviewSampleRate idleReleaseMinutes botTokenSet';

export const SLACK_SETTINGS = gql<{ slackSettings: SlackSettings }>(
  `query SlackSettings { slackSettings { ${SLACK_FIELDS} } }`,
);

export const UPDATE_SLACK_SETTINGS = gql<{ updateSlackSettings: SlackSettings }, { input: SlackSettingsInput }>(
  `mutation UpdateSlackSettings($input: SlackSettingsInput!) { updateSlackSettings(input: $input) { ${SLACK_FIELDS} } }`,
);

export interface BusinessProfile {
  companyName: string | null;
  supportPhone: string | null;
  supportEmail: string | null;
  website: string | null;
  liveChatUrl: string | null;
  openingHours: string | null;
  values: { name: string; value: string }[];
}
export type ProfileField = Exclude<keyof BusinessProfile, 'values'>;
export type BusinessProfileInput = Partial<Record<ProfileField, string | null>> & {
  values?: { name: string; value: string | null }[];
};
const PROFILE_FIELDS = 'companyName supportPhone supportEmail website liveChatUrl openingHours values { name value }';

export const BUSINESS_PROFILE = gql<{ businessProfile: BusinessProfile }>(
  `query BusinessProfile { businessProfile { ${PROFILE_FIELDS} } }`,
);

export const UPDATE_BUSINESS_PROFILE = gql<{ updateBusinessProfile: BusinessProfile }, { input: BusinessProfileInput }>(
  `mutation UpdateBusinessProfile($input: BusinessProfileInput!) { updateBusinessProfile(input: $input) { ${PROFILE_FIELDS} } }`,
);

export const TENANT_SETTINGS_OPERATIONS = {
  WHATSAPP_SETTINGS,
  UPDATE_WHATSAPP_SETTINGS,
  SLACK_SETTINGS,
  UPDATE_SLACK_SETTINGS,
  BUSINESS_PROFILE,
  UPDATE_BUSINESS_PROFILE,
};
