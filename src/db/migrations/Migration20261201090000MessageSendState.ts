import { Migration } from '@mikro-orm/migrations';

const KEYS = `array['sendClaimedAt', 'twilioSids', 'failedAttempts', 'statusHistory', 'feedbackPrompt']`;

/**
 * The send state of outbound messages moves out of the untyped `payload` into
 * columns of its own (see Message): the send claim, the parts already accepted,
 * failed attempts, status callbacks and the feedback prompt used. Existing rows
 * are moved over; `payload` keeps only what the channel received or the author id.
 */
export class Migration20261201090000MessageSendState extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "message" add column "send_claimed_at" timestamptz null, add column "sent_part_ids" jsonb null, add column "failed_attempts" jsonb null, add column "status_history" jsonb null, add column "feedback_prompt" varchar(255) null;`,
    );
    this.addSql(`update "message" set
        "send_claimed_at" = ("payload"->>'sendClaimedAt')::timestamptz,
        "sent_part_ids" = "payload"->'twilioSids',
        "failed_attempts" = "payload"->'failedAttempts',
        "status_history" = "payload"->'statusHistory',
        "feedback_prompt" = "payload"->>'feedbackPrompt',
        "payload" = nullif("payload" - ${KEYS}, '{}'::jsonb)
      where "direction" = 'outbound' and jsonb_exists_any("payload", ${KEYS});`);
  }

  override async down(): Promise<void> {
    const back = (key: string, column: string) =>
      `case when "${column}" is null then '{}'::jsonb else jsonb_build_object('${key}', "${column}") end`;
    this
      .addSql(`update "message" set "payload" = coalesce("payload", '{}'::jsonb) || ${back('sendClaimedAt', 'send_claimed_at')} || ${back('twilioSids', 'sent_part_ids')}
        || ${back('failedAttempts', 'failed_attempts')} || ${back('statusHistory', 'status_history')} || ${back('feedbackPrompt', 'feedback_prompt')}
      where "direction" = 'outbound' and ("send_claimed_at" is not null or "sent_part_ids" is not null or "failed_attempts" is not null
        or "status_history" is not null or "feedback_prompt" is not null);`);
    this.addSql(
      `alter table "message" drop column "send_claimed_at", drop column "sent_part_ids", drop column "failed_attempts", drop column "status_history", drop column "feedback_prompt";`,
    );
  }
}
