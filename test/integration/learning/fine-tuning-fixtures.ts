import { approveCorrection, createCorrection } from '../../../src/corrections/correction-service';
import type { Actor } from '../../../src/audit/audit-service';
import { addCases, createDataset } from '../../../src/learning/datasets/dataset-service';
import type { CaseInput } from '../../../src/learning/datasets/case-file';
import { createLogger } from '../../../src/logger';
import { createAlertService, type AlertService } from '../../../src/monitoring/alert-service';
import type { AlertNotification, AlertNotifier } from '../../../src/monitoring/alert-types';
import type { TestDatabase } from '../../helpers/database';

/** A notifier that keeps what the alert service sent. */
export class RecordingNotifier implements AlertNotifier {
  readonly id = 'recording';
  sent: AlertNotification[] = [];
  async send(notification: AlertNotification): Promise<string | null> {
    this.sent.push(notification);
    return `message-${this.sent.length}`;
  }
  async update(): Promise<void> {}
  titles(): string[] {
    return this.sent.flatMap((notification) => notification.alerts.map((alert) => alert.title));
  }
}

export function alertServiceFor(database: TestDatabase, notifier: RecordingNotifier): AlertService {
  return createAlertService({
    orm: database.orm,
    notifiers: [notifier],
    logger: createLogger('silent'),
    repeatHours: 4,
    groupWindowSeconds: 0,
    silenceMinutes: 60,
    graphqlUrl: 'http://localhost:3000/graphql',
  });
}

/** `count` approved corrections of quality 5 with distinct questions: the training data. */
export async function approveCorrections(
  database: TestDatabase,
  tenantId: string,
  actor: Actor,
  count: number,
  offset = 0,
): Promise<void> {
  for (let index = offset; index < offset + count; index++) {
    const correction = await createCorrection(database.orm.em.fork(), {
      tenantId,
      actor,
      customerMessage: `How do I change delivery option ${index} for my parcel?`,
      originalReply: 'I do not know.',
      correctedReply: `Open Orders, choose the parcel and pick delivery option ${index}; it applies at once.`,
      category: 'wrong_facts',
    });
    await approveCorrection(database.orm.em.fork(), { tenantId, actor, correctionId: correction.id, qualityScore: 5 });
  }
}

/** The expected reply of a synthetic gating case, by its question. */
export function expectedReplyOf(question: string): string | null {
  const match = /^What is the return window for product (\d+)\?$/.exec(question.trim());
  return match ? `Product ${match[1]} can be returned within 30 days of delivery, unused and in its box.` : null;
}

/** A dataset of 500 cases (enough to gate) the fine-tuned model can answer exactly. */
export async function createGatingDataset(database: TestDatabase, tenantId: string, actor: Actor): Promise<void> {
  const { dataset } = await createDataset(database.orm.em.fork(), { tenantId, actor, name: 'gating' });
  const cases: CaseInput[] = Array.from({ length: 500 }, (_, index) => {
    const input = `What is the return window for product ${index}?`;
    return { input, expectedReply: expectedReplyOf(input)!, expectedTopic: null, expectHandoff: false, context: [] };
  });
  await addCases(database.orm.em.fork(), { tenantId, actor, datasetId: dataset.id, cases, source: 'import' });
}
