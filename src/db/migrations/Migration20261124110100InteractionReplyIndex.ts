import { Migration } from '@mikro-orm/migrations';

/**
 * Finds a bot reply's interaction by the reply message. Every turn asks this
 * (the history for the prompt and signals, the WhatsApp send's 👍/👎 buttons);
 * through the (conversation_id, created_at) index it read every interaction of
 * the conversation for each message, which grows with the conversation.
 */
export class Migration20261124110100InteractionReplyIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "agent_interaction_reply_message_id_index" on "agent_interaction" ("reply_message_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "agent_interaction_reply_message_id_index";`);
  }
}
