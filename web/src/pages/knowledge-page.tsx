import { useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '../api/hooks';
import {
  ADD_KNOWLEDGE_ARTICLE,
  EDIT_KNOWLEDGE_ARTICLE,
  KNOWLEDGE_ARTICLES,
  RESTORE_KNOWLEDGE_ARTICLE,
  RETIRE_KNOWLEDGE_ARTICLE,
  type KnowledgeArticle,
  type KnowledgeStatusFilter,
} from '../api/knowledge-operations';
import { BusinessProfilePanel, type FillRequest } from '../components/business-profile-panel';
import { Empty, ErrorNotice, QueryView } from '../components/states';
import { KnowledgeImport } from '../components/knowledge-import';
import { UnfilledPlaceholders } from '../components/unfilled-placeholders';
import { formatCount, formatDateTime } from '../lib/format';
import { useCan } from '../session-context';
import { Pager } from '../components/pager';

const STATUSES: { id: KnowledgeStatusFilter; label: string }[] = [
  { id: 'ACTIVE', label: 'Answering' },
  { id: 'RETIRED', label: 'Retired' },
  { id: 'SUPERSEDED', label: 'Superseded' },
  { id: 'ALL', label: 'All' },
];

/**
 * The knowledge base: search, add, edit, retire and restore articles; import CSV/JSONL; the business profile and
 * the unfilled placeholders it should fill.
 */
export function KnowledgePage() {
  const canEdit = useCan('users:manage');
  const [status, setStatus] = useState<KnowledgeStatusFilter>('ACTIVE');
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const [pages, setPages] = useState<(string | null)[]>([null]);
  const [fill, setFill] = useState<FillRequest | null>(null);
  const variables = useMemo(
    () => ({
      first: 20,
      after: pages[pages.length - 1] ?? null,
      filter: { status, ...(applied ? { search: applied } : {}) },
    }),
    [status, applied, pages],
  );
  const state = useQuery(KNOWLEDGE_ARTICLES, variables);
  return (
    <>
      <div className="page-head">
        <h1>Knowledge</h1>
      </div>
      {canEdit ? (
        <div className="grid-2">
          <AddArticle onAdded={state.reload} />
          <KnowledgeImport onImported={state.reload} />
        </div>
      ) : (
        <p className="muted small">Adding, editing and importing articles needs a key with the users:manage scope.</p>
      )}
      <BusinessProfilePanel canEdit={canEdit} fill={fill} onSaved={state.reload} />
      <form
        className="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setApplied(search.trim());
          setPages([null]);
        }}
      >
        <label className="grow">
          Search questions and answers
          <input value={search} onChange={(event) => setSearch(event.target.value)} placeholder="delivery, refund…" />
        </label>
        <label>
          Status
          <select
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as KnowledgeStatusFilter);
              setPages([null]);
            }}
          >
            {STATUSES.map((entry) => (
              <option key={entry.id} value={entry.id}>
                {entry.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      <QueryView state={state}>
        {(data) => (
          <>
            <UnfilledPlaceholders
              placeholders={data.unfilledPlaceholders}
              canEdit={canEdit}
              onFill={(name) => setFill({ name, seq: (fill?.seq ?? 0) + 1 })}
            />
            {data.knowledgeArticles.nodes.length === 0 ? (
              <Empty title={applied ? `No articles match “${applied}”.` : 'No articles here yet.'}>
                The bot answers from the knowledge base. Add an article above, import a CSV or JSONL file, or approve a
                correction: it becomes an article at once.
              </Empty>
            ) : (
              <>
                <p className="muted small">{formatCount(data.knowledgeArticles.totalCount)} articles</p>
                <ul className="cards">
                  {data.knowledgeArticles.nodes.map((article) => (
                    <ArticleCard key={article.id} article={article} canEdit={canEdit} onChanged={state.reload} />
                  ))}
                </ul>
                <Pager pages={pages} setPages={setPages} pageInfo={data.knowledgeArticles.pageInfo} />
              </>
            )}
          </>
        )}
      </QueryView>
    </>
  );
}

function AddArticle({ onAdded }: { onAdded: () => void }) {
  const [question, setQuestion] = useState('');
  const [answer, setAnswer] = useState('');
  const [topic, setTopic] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const add = useMutation(ADD_KNOWLEDGE_ARTICLE);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await add.run({
      input: { question: question.trim(), answer: answer.trim(), topic: topic.trim() || null },
    });
    if (result) {
      setDone(
        result.addKnowledgeArticle.supersededArticleId
          ? 'Added: it replaces the earlier article for the same question.'
          : 'Added: the bot answers with it from the next message.',
      );
      setQuestion('');
      setAnswer('');
      setTopic('');
      onAdded();
    }
  }
  return (
    <form className="panel form" onSubmit={submit} aria-label="Add an article">
      <h2>Add an article</h2>
      <label htmlFor="kb-question">Question</label>
      <input id="kb-question" required value={question} onChange={(event) => setQuestion(event.target.value)} />
      <label htmlFor="kb-answer">Answer</label>
      <textarea id="kb-answer" required rows={3} value={answer} onChange={(event) => setAnswer(event.target.value)} />
      <label htmlFor="kb-topic">Topic (optional)</label>
      <input id="kb-topic" value={topic} onChange={(event) => setTopic(event.target.value)} placeholder="shipping" />
      <div className="row">
        <button type="submit" className="primary" disabled={add.pending || !question.trim() || !answer.trim()}>
          {add.pending ? 'Adding…' : 'Add article'}
        </button>
      </div>
      {done ? (
        <p className="state state-ok" role="status">
          {done}
        </p>
      ) : null}
      {add.error ? <ErrorNotice error={add.error} /> : null}
    </form>
  );
}

function ArticleCard({
  article,
  canEdit,
  onChanged,
}: {
  article: KnowledgeArticle;
  canEdit: boolean;
  onChanged: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [question, setQuestion] = useState(article.question);
  const [answer, setAnswer] = useState(article.answer);
  const [topic, setTopic] = useState(article.topic ?? '');
  const edit = useMutation(EDIT_KNOWLEDGE_ARTICLE);
  const retire = useMutation(RETIRE_KNOWLEDGE_ARTICLE);
  const restore = useMutation(RESTORE_KNOWLEDGE_ARTICLE);
  const error = edit.error ?? retire.error ?? restore.error;
  async function save(event: FormEvent) {
    event.preventDefault();
    const result = await edit.run({
      id: article.id,
      input: { question: question.trim(), answer: answer.trim(), topic: topic.trim() || null },
    });
    if (result) {
      setEditing(false);
      onChanged();
    }
  }
  return (
    <li className="card" aria-label={`Article: ${article.question}`}>
      <div className="card-head">
        <span className={`badge badge-${article.status.toLowerCase()}`}>{article.status.toLowerCase()}</span>
        {article.topic ? <span className="badge">{article.topic}</span> : null}
        <span className="muted small">
          v{article.version} · {article.source}
          {article.correctionId ? ' (from a correction)' : ''} · updated {formatDateTime(article.updatedAt)}
        </span>
      </div>
      {editing ? (
        <form className="form" onSubmit={save}>
          <label htmlFor={`q-${article.id}`}>Question</label>
          <input id={`q-${article.id}`} value={question} onChange={(event) => setQuestion(event.target.value)} />
          <label htmlFor={`a-${article.id}`}>Answer</label>
          <textarea
            id={`a-${article.id}`}
            rows={4}
            value={answer}
            onChange={(event) => setAnswer(event.target.value)}
          />
          <label htmlFor={`t-${article.id}`}>Topic</label>
          <input id={`t-${article.id}`} value={topic} onChange={(event) => setTopic(event.target.value)} />
          <div className="row">
            <button type="submit" className="primary" disabled={edit.pending}>
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <>
          <p>
            <strong>{article.question}</strong>
          </p>
          <blockquote className="reply-text">{article.answer}</blockquote>
          {article.unfilledPlaceholders.length ? (
            <p className="muted small">Unfilled: {article.unfilledPlaceholders.join(', ')}</p>
          ) : null}
          {canEdit ? (
            <div className="row">
              {article.status === 'ACTIVE' ? (
                <>
                  <button type="button" onClick={() => setEditing(true)}>
                    Edit
                  </button>
                  <button
                    type="button"
                    className="danger"
                    disabled={retire.pending}
                    onClick={async () =>
                      (await retire.run({ id: article.id, reason: 'retired in the console' })) && onChanged()
                    }
                  >
                    Retire
                  </button>
                </>
              ) : (
                <button
                  type="button"
                  disabled={restore.pending}
                  onClick={async () => (await restore.run({ id: article.id })) && onChanged()}
                >
                  Restore
                </button>
              )}
            </div>
          ) : null}
        </>
      )}
      {error ? <ErrorNotice error={error} /> : null}
    </li>
  );
}
