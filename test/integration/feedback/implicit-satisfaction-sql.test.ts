import pg from 'pg';
import {
  implicitSatisfaction,
  implicitSatisfactionSql,
  PROMPT_RESPONSE_WINDOW_MS,
} from '../../../src/feedback/implicit-satisfaction';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ migrate: false });
});

afterAll(async () => {
  await database.drop();
});

describe('implicitSatisfactionSql', () => {
  it('gives exactly the JavaScript result for every signal combination, halves included', async () => {
    const times = [
      null,
      0,
      1,
      6_000,
      45_000,
      59_999,
      60_000,
      299_999,
      300_000,
      594_000,
      599_999,
      PROMPT_RESPONSE_WINDOW_MS,
      10_000_000,
    ];
    const cases: Array<[boolean, boolean, boolean, number | null]> = [];
    for (const continued of [false, true])
      for (const completed of [false, true])
        for (const handoff of [false, true])
          for (const time of times) cases.push([continued, completed, handoff, time]);
    const values = cases
      .map(
        (_, index) =>
          `($${index * 4 + 1}::boolean, $${index * 4 + 2}::boolean, $${index * 4 + 3}::boolean, $${index * 4 + 4}::int)`,
      )
      .join(', ');
    const expression = implicitSatisfactionSql({ continued: 'c', completed: 'a', handoff: 'h', responseTime: 't' });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client
      .query<{ score: number }>(`select ${expression} as score from (values ${values}) as s (c, a, h, t)`, cases.flat())
      .finally(() => client.end());
    expect(rows.map((row) => row.score)).toEqual(
      cases.map(([continuedConversation, completedAction, requestedHandoff, responseTimeMs]) =>
        implicitSatisfaction({ continuedConversation, completedAction, requestedHandoff, responseTimeMs }),
      ),
    );
  });
});
