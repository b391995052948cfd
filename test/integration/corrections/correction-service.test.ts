import { AuditLog, HumanCorrection, KnowledgeArticle } from '../../../src/db/entities';
import {
  approveCorrection,
  createCorrection,
  findCorrection,
  listCorrections,
  rejectCorrection,
} from '../../../src/corrections/correction-service';
import { DomainEvents } from '../../../src/events';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { makeControlPlaneTenant, type TenantFixture } from '../../helpers/factories';

let database: TestDatabase;
let shop: TenantFixture;
let other: TenantFixture;

beforeAll(async () => {
  database = await createTestDatabase();
  shop = await makeControlPlaneTenant(database.orm.em.fork(), 'shop');
  other = await makeControlPlaneTenant(database.orm.em.fork(), 'other');
});
afterAll(() => database.drop());

describe('correction service', () => {
  it('creates a pending correction from an interaction, filling the question and original reply, with an audit row', async () => {
    const em = database.orm.em.fork();
    const correction = await createCorrection(em, {
      tenantId: shop.tenant.id,
      actor: 'slack:U42',
      authorName: 'Ana',
      interactionId: shop.interactions[1].id,
      correctedReply: 'Refunds take 5 days.',
      category: 'wrong_facts',
      reason: 'wrong delay',
    });
    expect(correction.status).toBe('pending');
    expect(correction.customerMessage).toBe('shop question 1');
    expect(correction.originalReply).toBe('shop answer 1');
    const audit = await em.fork().findOneOrFail(AuditLog, { targetId: correction.id });
    expect(audit).toMatchObject({ actor: 'slack:U42', action: 'correction.create', targetType: 'HumanCorrection' });
    expect(audit.after).toMatchObject({ status: 'pending', correctedReply: 'Refunds take 5 days.' });
  });

  it("refuses another tenant's interaction and invalid input, writing nothing", async () => {
    const em = database.orm.em.fork();
    const before = await em.count(HumanCorrection, {});
    await expect(
      createCorrection(em, {
        tenantId: shop.tenant.id,
        actor: 'slack:U1',
        interactionId: other.interactions[0].id,
        correctedReply: 'x',
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      createCorrection(em, {
        tenantId: shop.tenant.id,
        actor: 'slack:U1',
        interactionId: shop.interactions[0].id,
        correctedReply: '   ',
      }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(
      createCorrection(em, { tenantId: shop.tenant.id, actor: 'slack:U1', correctedReply: 'ok', originalReply: 'old' }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'customerMessage' } });
    expect(await em.count(HumanCorrection, {})).toBe(before);
  });

  it('approves once: records who and when, creates an active knowledge article and emits correction.approved', async () => {
    const events = new DomainEvents();
    const seen: unknown[] = [];
    events.on('correction.approved', (payload) => {
      seen.push(payload);
    });
    const em = database.orm.em.fork();
    const created = await createCorrection(em, {
      tenantId: shop.tenant.id,
      actor: 'apikey:k1',
      customerMessage: 'Do you ship to Norway?',
      originalReply: 'No.',
      correctedReply: 'Yes, in 4 days.',
    });
    const { correction, article } = await approveCorrection(
      em,
      { tenantId: shop.tenant.id, actor: 'slack:U9', correctionId: created.id, qualityScore: 4 },
      { events },
    );
    expect(correction).toMatchObject({ status: 'approved', decidedBy: 'slack:U9', qualityScore: 4 });
    expect(correction.decidedAt).toBeInstanceOf(Date);
    const stored = await database.orm.em.fork().findOneOrFail(KnowledgeArticle, { id: article.id });
    expect(stored).toMatchObject({
      source: 'correction',
      question: 'Do you ship to Norway?',
      answer: 'Yes, in 4 days.',
      active: true,
    });
    expect(seen).toEqual([{ tenantId: shop.tenant.id, correctionId: created.id }]);
    await expect(
      approveCorrection(em, { tenantId: shop.tenant.id, actor: 'slack:U9', correctionId: created.id }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      rejectCorrection(em, { tenantId: shop.tenant.id, actor: 'slack:U9', correctionId: created.id, reason: 'late' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(seen).toHaveLength(1);
  });

  it('a second approved correction of the same question, written differently, supersedes the first article (kept as history)', async () => {
    const em = database.orm.em.fork();
    const first = await createCorrection(em, {
      tenantId: shop.tenant.id,
      actor: 'apikey:k1',
      customerMessage: 'Opening hours?',
      originalReply: '?',
      correctedReply: '9 to 5',
    });
    const a = await approveCorrection(em, { tenantId: shop.tenant.id, actor: 'apikey:k1', correctionId: first.id });
    const second = await createCorrection(em, {
      tenantId: shop.tenant.id,
      actor: 'apikey:k1',
      customerMessage: '  opening   HOURS!! ',
      originalReply: '?',
      correctedReply: '9 to 6',
    });
    const b = await approveCorrection(em, { tenantId: shop.tenant.id, actor: 'apikey:k1', correctionId: second.id });
    expect(b.article.id).not.toBe(a.article.id);
    const rows = await database.orm.em
      .fork()
      .find(
        KnowledgeArticle,
        { tenant: shop.tenant.id, normalizedQuestion: 'opening hours' },
        { orderBy: { createdAt: 'asc' } },
      );
    expect(
      rows.map((row) => ({
        id: row.id,
        active: row.active,
        answer: row.answer,
        reason: row.retiredReason,
        by: row.supersededBy?.id ?? null,
      })),
    ).toEqual([
      { id: a.article.id, active: false, answer: '9 to 5', reason: 'superseded', by: b.article.id },
      { id: b.article.id, active: true, answer: '9 to 6', reason: null, by: null },
    ]);
  });

  it("rejects with a reason, and cannot decide another tenant's correction", async () => {
    const em = database.orm.em.fork();
    await expect(
      rejectCorrection(em, {
        tenantId: shop.tenant.id,
        actor: 'apikey:k1',
        correctionId: other.correction.id,
        reason: 'no',
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      approveCorrection(em, { tenantId: shop.tenant.id, actor: 'apikey:k1', correctionId: 'not-a-uuid' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const rejected = await rejectCorrection(em, {
      tenantId: other.tenant.id,
      actor: 'apikey:k2',
      correctionId: other.correction.id,
      reason: 'off topic',
    });
    expect(rejected).toMatchObject({ status: 'rejected', rejectionReason: 'off topic', decidedBy: 'apikey:k2' });
    expect(await findCorrection(em, { tenantId: shop.tenant.id, correctionId: other.correction.id })).toBeNull();
  });

  it('lists newest first with stable cursors and filters', async () => {
    const em = database.orm.em.fork();
    const all = await listCorrections(em, { tenantId: shop.tenant.id, first: 100 });
    expect(all.nodes.every((row) => row.tenant.id === shop.tenant.id)).toBe(true);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page = await listCorrections(em, { tenantId: shop.tenant.id, first: 2, after });
      expect(page.totalCount).toBe(all.totalCount);
      seen.push(...page.nodes.map((row) => row.id));
      after = page.hasNextPage ? page.endCursor : null;
    } while (after);
    expect(seen).toEqual(all.nodes.map((row) => row.id));
    const approved = await listCorrections(em, { tenantId: shop.tenant.id, filter: { status: 'approved' } });
    expect(approved.totalCount).toBe(3);
    await expect(listCorrections(em, { tenantId: shop.tenant.id, after: 'garbage' })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
  });
});
