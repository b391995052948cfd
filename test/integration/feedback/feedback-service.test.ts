import { InteractionFeedback, type AgentInteraction, type Tenant } from '../../../src/db/entities';
import { AppError } from '../../../src/errors';
import { MAX_VOTE_HISTORY, recordImplicitSignals, recordVote } from '../../../src/feedback/feedback-service';
import { submitPublicFeedback } from '../../../src/feedback/public-feedback';
import { RateLimiter } from '../../../src/security/rate-limiter';
import { makeInteraction, makeTenant } from '../../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';

let database: TestDatabase;
let tenant: Tenant;
let other: Tenant;

beforeAll(async () => {
  database = await createTestDatabase();
  const em = database.orm.em.fork();
  tenant = await makeTenant(em);
  other = await makeTenant(em);
});

afterAll(async () => {
  await database.drop();
});

async function freshInteraction(): Promise<AgentInteraction> {
  return makeInteraction(database.orm.em.fork(), tenant);
}

async function storedFeedback(interactionId: string): Promise<InteractionFeedback[]> {
  return database.orm.em.fork().find(InteractionFeedback, { interaction: interactionId });
}

describe('recordVote', () => {
  it('creates the row on the first vote and keeps the latest vote with the full history', async () => {
    const interaction = await freshInteraction();
    const first = await recordVote(database.orm.em.fork(), {
      tenantId: tenant.id,
      interactionId: interaction.id,
      helpful: false,
      comment: '  wrong size  ',
      source: 'whatsapp',
      at: new Date('2026-11-24T10:00:00Z'),
    });
    expect(first.helpful).toBe(false);
    expect(first.comment).toBe('wrong size');

    const second = await recordVote(database.orm.em.fork(), {
      tenantId: tenant.id,
      interactionId: interaction.id,
      helpful: true,
      source: 'api',
      at: new Date('2026-11-24T10:05:00Z'),
    });
    expect(second.id).toBe(first.id);

    const rows = await storedFeedback(interaction.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].helpful).toBe(true);
    expect(rows[0].comment).toBeNull();
    expect(rows[0].source).toBe('api');
    expect(rows[0].votedAt?.toISOString()).toBe('2026-11-24T10:05:00.000Z');
    expect(rows[0].history).toEqual([
      { helpful: false, comment: 'wrong size', source: 'whatsapp', at: '2026-11-24T10:00:00.000Z' },
      { helpful: true, comment: null, source: 'api', at: '2026-11-24T10:05:00.000Z' },
    ]);
  });

  it('serialises concurrent first votes into one row with both in the history', async () => {
    const interaction = await freshInteraction();
    await Promise.all([
      recordVote(database.orm.em.fork(), {
        tenantId: tenant.id,
        interactionId: interaction.id,
        helpful: true,
        source: 'whatsapp',
      }),
      recordVote(database.orm.em.fork(), {
        tenantId: tenant.id,
        interactionId: interaction.id,
        helpful: false,
        source: 'whatsapp',
      }),
      recordVote(database.orm.em.fork(), {
        tenantId: tenant.id,
        interactionId: interaction.id,
        helpful: true,
        source: 'whatsapp',
      }),
    ]);
    const rows = await storedFeedback(interaction.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].history).toHaveLength(3);
  });

  it('answers NOT_FOUND for another tenant or an unknown id, and stores nothing', async () => {
    const interaction = await freshInteraction();
    for (const input of [
      { tenantId: other.id, interactionId: interaction.id },
      { tenantId: tenant.id, interactionId: '00000000-0000-4000-8000-000000000000' },
      { tenantId: tenant.id, interactionId: 'not-a-uuid' },
    ]) {
      const attempt = recordVote(database.orm.em.fork(), { ...input, helpful: true, source: 'api' });
      await expect(attempt).rejects.toBeInstanceOf(AppError);
      await expect(attempt).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
    expect(await storedFeedback(interaction.id)).toHaveLength(0);
  });

  it('rejects an unknown source', async () => {
    const interaction = await freshInteraction();
    // Cast: the test sends what an untyped caller (JSON) could send.
    const bad = { tenantId: tenant.id, interactionId: interaction.id, helpful: true, source: 'fax' as 'api' };
    await expect(recordVote(database.orm.em.fork(), bad)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('recordImplicitSignals', () => {
  it('merges signals and recomputes the satisfaction on every change, leaving the vote alone', async () => {
    const interaction = await freshInteraction();
    await recordVote(database.orm.em.fork(), {
      tenantId: tenant.id,
      interactionId: interaction.id,
      helpful: true,
      source: 'whatsapp',
    });

    const continued = await recordImplicitSignals(database.orm.em.fork(), {
      tenantId: tenant.id,
      interactionId: interaction.id,
      continuedConversation: true,
      responseTimeMs: 60_000,
    });
    expect(continued.implicitSatisfaction).toBe(0.645);

    const handedOff = await recordImplicitSignals(database.orm.em.fork(), {
      tenantId: tenant.id,
      interactionId: interaction.id,
      requestedHandoff: true,
    });
    expect(handedOff.continuedConversation).toBe(true);
    expect(handedOff.responseTimeMs).toBe(60_000);
    expect(handedOff.implicitSatisfaction).toBe(0.145);

    const [row] = await storedFeedback(interaction.id);
    expect(row.helpful).toBe(true);
    expect(row.requestedHandoff).toBe(true);
    expect(row.implicitSatisfaction).toBe(0.145);
  });

  it('is tenant-scoped and validates the response time', async () => {
    const interaction = await freshInteraction();
    await expect(
      recordImplicitSignals(database.orm.em.fork(), {
        tenantId: other.id,
        interactionId: interaction.id,
        completedAction: true,
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      recordImplicitSignals(database.orm.em.fork(), {
        tenantId: tenant.id,
        interactionId: interaction.id,
        responseTimeMs: -5,
      }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await storedFeedback(interaction.id)).toHaveLength(0);
  });
});

describe('bounded feedback growth', () => {
  it('keeps only the newest MAX_VOTE_HISTORY votes of a reply, however often it is voted', async () => {
    const interaction = await freshInteraction();
    for (let vote = 0; vote < MAX_VOTE_HISTORY + 30; vote++) {
      await recordVote(database.orm.em.fork(), {
        tenantId: tenant.id,
        interactionId: interaction.id,
        helpful: vote % 2 === 0,
        comment: `vote ${vote}`,
        source: 'api',
      });
    }
    const [row] = await storedFeedback(interaction.id);
    expect(row!.history).toHaveLength(MAX_VOTE_HISTORY);
    expect(row!.history[0]!.comment).toBe('vote 30');
    expect(row!.history.at(-1)!.comment).toBe(`vote ${MAX_VOTE_HISTORY + 29}`);
  });

  it('refuses a public feedback token older than its TTL like an unknown one', async () => {
    const interaction = await freshInteraction();
    const limiter = new RateLimiter(1_000, 60_000);
    const vote = (now: Date) =>
      submitPublicFeedback(
        database.orm.em.fork(),
        limiter,
        { token: interaction.feedbackToken, helpful: true, ip: '198.51.100.1' },
        { tokenTtlDays: 30, now },
      );
    const issued = interaction.createdAt.getTime();
    await expect(vote(new Date(issued + 29 * 86_400_000))).resolves.toMatchObject({ helpful: true });
    await expect(vote(new Date(issued + 31 * 86_400_000))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
