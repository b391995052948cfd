import { Migration } from '@mikro-orm/migrations';

/**
 * Knowledge in every prompt (issue 12): the interaction records which articles the turn used, and every
 * write to knowledge_article (any path: ORM, raw SQL, imports, psql) notifies the instances listening on
 * `knowledge_article_changed`, so their in-memory indexes update within a second.
 */
export class Migration20261201140000KnowledgeRetrieval extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "agent_interaction" add column "article_ids" jsonb not null default '[]';`);
    this.addSql(`create or replace function knowledge_article_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('knowledge_article_changed', json_build_object(
          'tenantId', coalesce(new.tenant_id, old.tenant_id), 'id', coalesce(new.id, old.id), 'op', lower(tg_op))::text);
        return null;
      end $$;`);
    this.addSql(`create trigger knowledge_article_notify after insert or update or delete on "knowledge_article"
      for each row execute function knowledge_article_notify();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists knowledge_article_notify on "knowledge_article";`);
    this.addSql(`drop function if exists knowledge_article_notify();`);
    this.addSql(`alter table "agent_interaction" drop column "article_ids";`);
  }
}
