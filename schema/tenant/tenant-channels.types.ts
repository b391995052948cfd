import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';

@ObjectType('WhatsAppSettings', {
  simpleResolvers: true,
  description: "The tenant's WhatsApp binding (Twilio). The auth token is never returned.",
})
export class WhatsAppSettingsType {
  @Field(() => [String], { description: 'Senders customers write to, as Twilio sends them in To (whatsapp:+…).' })
  numbers!: string[];

  @Field(() => String, { nullable: true, description: 'Messaging Service SID (MG…) to receive and send through.' })
  messagingServiceSid!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The tenant's own Twilio account (AC…); else the service-wide TWILIO_ACCOUNT_SID.",
  })
  accountSid!: string | null;

  @Field(() => [String], { description: 'Words that mark a reply as having helped (paid, ordered, ...).' })
  completedActionKeywords!: string[];

  @Field(() => Boolean, { description: "Whether the tenant's own auth token is stored (secret twilioAuthToken)." })
  authTokenSet!: boolean;
}

@InputType({
  description: 'The WhatsApp binding; it replaces the stored one. Numbers or a Messaging Service SID are required.',
})
export class WhatsAppSettingsInput {
  @Field(() => [String], {
    nullable: true,
    description: 'Sender numbers (+14155238886 or whatsapp:+14155238886); a number bound to another tenant is refused.',
  })
  numbers?: string[] | null;

  @Field(() => String, { nullable: true, description: 'MG followed by 32 hex characters.' })
  messagingServiceSid?: string | null;

  @Field(() => String, { nullable: true, description: 'AC followed by 32 hex characters.' })
  accountSid?: string | null;

  @Field(() => [String], { nullable: true, description: 'Completed-action keywords.' })
  completedActionKeywords?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Twilio auth token of the account, stored encrypted (at least 16 characters); null removes it, omitted keeps it.',
  })
  authToken?: string | null;
}

@ObjectType('SlackSettings', {
  simpleResolvers: true,
  description: "The tenant's Slack channels and its own bot token (never returned).",
})
export class SlackSettingsType {
  @Field(() => String, { nullable: true, description: 'Channel for handed-off conversations.' })
  handoffChannel!: string | null;

  @Field(() => String, { nullable: true, description: 'Channel for replies to review.' })
  reviewChannel!: string | null;

  @Field(() => String, { nullable: true, description: 'Channel for alerts.' })
  oncallChannel!: string | null;

  @Field(() => [String], { description: 'Slack user ids allowed to approve corrections.' })
  approvers!: string[];

  @Field(() => Float, { description: 'Share (0–1) of other bot replies sent for review.' })
  reviewSampleRate!: number;

  @Field(() => Int, {
    description: 'Minutes after which an idle handed-off conversation goes back to the bot (0 = never).',
  })
  idleReleaseMinutes!: number;

  @Field(() => Boolean, { description: "Whether the tenant's own bot token is stored (secret slackBotToken)." })
  botTokenSet!: boolean;
}

@InputType({ description: 'Slack changes; omitted fields stay, null removes a setting (its default applies).' })
export class SlackSettingsInput {
  @Field(() => String, { nullable: true, description: 'Channel id (C…).' })
  handoffChannel?: string | null;

  @Field(() => String, { nullable: true, description: 'Channel id (C…).' })
  reviewChannel?: string | null;

  @Field(() => String, { nullable: true, description: 'Channel id (C…).' })
  oncallChannel?: string | null;

  @Field(() => [String], { nullable: true, description: 'Slack user ids (U…).' })
  approvers?: string[] | null;

  @Field(() => Float, { nullable: true, description: '0–1.' })
  reviewSampleRate?: number | null;

  @Field(() => Int, { nullable: true, description: 'Minutes, 0 = never.' })
  idleReleaseMinutes?: number | null;

  @Field(() => String, {
    nullable: true,
    description: "The tenant's own Slack bot token (xoxb-…), stored encrypted; null removes it, omitted keeps it.",
  })
  botToken?: string | null;
}

@ObjectType('ProfileValue', {
  simpleResolvers: true,
  description: 'A free-form profile value, used for {{Name}} placeholders of that name.',
})
export class ProfileValueType {
  @Field(() => String, { description: 'Placeholder name (case and spacing ignored when matching).' })
  name!: string;

  @Field(() => String, { description: 'Value sent in its place.' })
  value!: string;
}

@ObjectType('BusinessProfile', {
  simpleResolvers: true,
  description: 'Public business details filled into {{Name}} placeholders of answers when they are sent.',
})
export class BusinessProfileType {
  @Field(() => String, { nullable: true, description: '{{Company Name}}.' })
  companyName!: string | null;

  @Field(() => String, {
    nullable: true,
    description: '{{Customer Support Phone Number}}, {{Support Phone Number}}, ...',
  })
  supportPhone!: string | null;

  @Field(() => String, { nullable: true, description: '{{Customer Support Email}}, {{Email}}, ...' })
  supportEmail!: string | null;

  @Field(() => String, { nullable: true, description: '{{Website Name}}, {{Website URL}}, ...' })
  website!: string | null;

  @Field(() => String, { nullable: true, description: '{{Live Chat}}, {{Live Chat Link}}, ...' })
  liveChatUrl!: string | null;

  @Field(() => String, {
    nullable: true,
    description: '{{Customer Support Availability}}, {{Opening Hours}}, {{Customer Support Hours}}, ...',
  })
  openingHours!: string | null;

  @Field(() => [ProfileValueType], {
    description: 'Any other placeholder by name ({{Order History}} → "Account → Orders").',
  })
  values!: ProfileValueType[];
}

@InputType({ description: 'A free-form value; a null or empty value removes the name.' })
export class ProfileValueInput {
  @Field(() => String, { description: 'Placeholder name.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Value (at most 500 characters).' })
  value?: string | null;
}

@InputType({ description: 'Profile changes; omitted fields stay, null removes a field; values are merged by name.' })
export class BusinessProfileInput {
  @Field(() => String, { nullable: true, description: 'Company name.' })
  companyName?: string | null;

  @Field(() => String, { nullable: true, description: 'Phone, e.g. +44 20 7946 0000.' })
  supportPhone?: string | null;

  @Field(() => String, { nullable: true, description: 'Email address.' })
  supportEmail?: string | null;

  @Field(() => String, { nullable: true, description: 'shop.example.com or https://shop.example.com.' })
  website?: string | null;

  @Field(() => String, { nullable: true, description: 'http(s) URL of the live chat.' })
  liveChatUrl?: string | null;

  @Field(() => String, { nullable: true, description: 'Free text, e.g. "Mon–Fri 9:00–18:00 UK time".' })
  openingHours?: string | null;

  @Field(() => [ProfileValueInput], {
    nullable: true,
    description: 'Free-form values to set or remove (at most 100 names in all).',
  })
  values?: ProfileValueInput[] | null;
}
