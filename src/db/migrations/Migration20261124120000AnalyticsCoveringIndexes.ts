import { Migration } from '@mikro-orm/migrations';

/**
 * Covering indexes for the control plane's analytics (see bench/analytics-bench.ts):
 * a tenant's rows are spread over every heap page, so fetching them from the heap
 * costs one random page read per row; with the aggregated columns in the index,
 * feedbackAnalytics and costAnalytics are index-only scans. Declared on the
 * entities with the same names, so the schema diff stays empty.
 */
export class Migration20261124120000AnalyticsCoveringIndexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "agent_interaction_analytics_index" on "agent_interaction" ("tenant_id", "created_at") include ("id", "conversation_id");`,
    );
    this.addSql(
      `create index "interaction_feedback_analytics_index" on "interaction_feedback" ("tenant_id", "interaction_id") include ("helpful", "continued_conversation", "completed_action", "requested_handoff", "implicit_satisfaction");`,
    );
    this.addSql(
      `create index "interaction_feedback_commented_vote_index" on "interaction_feedback" ("tenant_id", "interaction_id") where "comment" is not null and "helpful" is not null;`,
    );
    this.addSql(
      `create index "provider_usage_analytics_index" on "provider_usage" ("tenant_id", "created_at") include ("provider", "model", "success", "input_tokens", "cached_input_tokens", "output_tokens", "total_tokens", "estimated_cost_usd");`,
    );
  }

  override async down(): Promise<void> {
    for (const name of [
      'agent_interaction_analytics_index',
      'interaction_feedback_analytics_index',
      'interaction_feedback_commented_vote_index',
      'provider_usage_analytics_index',
    ]) {
      this.addSql(`drop index if exists "${name}";`);
    }
  }
}
