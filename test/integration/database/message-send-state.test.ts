import { createTestDatabase, type TestDatabase } from '../../helpers/database';

/**
 * Migration20261201090000MessageSendState moves the send state of outbound
 * messages from `payload` into typed columns, and back on the way down.
 */
describe('message send state migration', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: false });
  });
  afterAll(() => database.drop());

  const sql = <T>(text: string, values: unknown[] = []) => database.orm.em.getConnection().execute<T[]>(text, values);

  it('moves sendClaimedAt, twilioSids, failedAttempts, statusHistory and feedbackPrompt into columns, and back', async () => {
    const migrator = database.orm.getMigrator();
    await migrator.up({ to: 'Migration20261124110100InteractionReplyIndex' });
    const [tenant] = await sql<{ id: string }>(
      `insert into tenant (id, name, settings, created_at, updated_at) values (gen_random_uuid(), 'migrated', '{}', now(), now()) returning id`,
    );
    const [contact] = await sql<{ id: string }>(
      `insert into contact (id, tenant_id, created_at, channel, external_id, feedback_opt_out) values (gen_random_uuid(), ?, now(), 'whatsapp', 'whatsapp:+1555', false) returning id`,
      [tenant!.id],
    );
    const [conversation] = await sql<{ id: string }>(
      `insert into conversation (id, tenant_id, created_at, contact_id, channel, status, started_at, last_activity_at)
       values (gen_random_uuid(), ?, now(), ?, 'whatsapp', 'bot', now(), now()) returning id`,
      [tenant!.id, contact!.id],
    );
    const payload = {
      authorId: 'U1',
      sendClaimedAt: '2026-11-30T10:00:00.000Z',
      twilioSids: ['SM1', 'SM2'],
      failedAttempts: [{ at: '2026-11-30T10:00:01Z', reason: 'HTTP 500' }],
      statusHistory: [{ sid: 'SM2', status: 'sent', errorCode: null, at: '2026-11-30T10:00:02Z' }],
      feedbackPrompt: 'template',
    };
    const insertMessage = (direction: string, body: unknown) =>
      sql<{ id: string }>(
        `insert into message (id, tenant_id, created_at, conversation_id, channel, direction, author, kind, text, delivery_status, payload)
         values (gen_random_uuid(), ?, now(), ?, 'whatsapp', ?, 'bot', 'text', 'hello', 'sent', ?::jsonb) returning id`,
        [tenant!.id, conversation!.id, direction, JSON.stringify(body)],
      );
    const [outbound] = await insertMessage('outbound', payload);
    const [plain] = await insertMessage('outbound', { twilioSids: ['SM9'] });
    const [inbound] = await insertMessage('inbound', { to: 'whatsapp:+1444', twilioSids: ['kept on inbound'] });

    await migrator.up({ to: 'Migration20261201090000MessageSendState' });
    const read = (id: string) =>
      sql<Record<string, unknown>>(
        `select payload, send_claimed_at is not null as claimed, sent_part_ids, failed_attempts, status_history, feedback_prompt from message where id = ?`,
        [id],
      ).then((rows) => rows[0]);
    expect(await read(outbound!.id)).toEqual({
      payload: { authorId: 'U1' },
      claimed: true,
      sent_part_ids: payload.twilioSids,
      failed_attempts: payload.failedAttempts,
      status_history: payload.statusHistory,
      feedback_prompt: 'template',
    });
    expect(await read(plain!.id)).toEqual({
      payload: null,
      claimed: false,
      sent_part_ids: ['SM9'],
      failed_attempts: null,
      status_history: null,
      feedback_prompt: null,
    });
    expect((await read(inbound!.id))!.payload).toEqual({ to: 'whatsapp:+1444', twilioSids: ['kept on inbound'] });

    await migrator.down({ to: 'Migration20261124110100InteractionReplyIndex' });
    const [restored] = await sql<{ payload: Record<string, unknown> }>('select payload from message where id = ?', [
      outbound!.id,
    ]);
    expect({
      ...restored!.payload,
      sendClaimedAt: new Date(restored!.payload.sendClaimedAt as string).toISOString(),
    }).toEqual(payload);
  });
});
