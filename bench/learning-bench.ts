// First: parses the command line (and answers --help) before anything heavy loads.
import '../src/cli/command-line';
import 'reflect-metadata';
import pino from 'pino';
import { loadConfig } from '../src/config';
import { migrate, openOrm } from '../src/db/orm';
import { DomainEvents } from '../src/events';
import { sampleExamples, splitExamples, type LabelledExample } from '../src/learning/holdout-split';
import { createModelGateway } from '../src/providers/gateway';
import { createTenant } from '../src/tenants/tenant-service';
import { argument, log } from './bench-stats';
import { defaultCorpusPath, loadCorpus } from './customer-support-corpus';
import { PlainTfidfNeighbour } from './plain-tfidf';
import { loadOffDomain } from './retrieval-experiment';
import { createScratchDatabase } from './scratch-database';
import { rougeScore } from '../src/learning/metrics/rouge';
import { OfflineAnswerModel } from '../src/learning/training/offline-model';
import { packModel } from '../src/learning/training/offline-model-store';
import { OfflineModel } from '../src/db/entities';

/**
 * npm run bench:learning [-- --dataset path.csv --stages 2,10,30,100]
 * The learning curve: the shared dataset's training part (a hashed 80/20
 * split, see src/learning/holdout-split.ts) is written as approved knowledge
 * in growing, nested stages into a throwaway database; after each stage the
 * running gateway (no keys: the offline knowledge base answers, from the same
 * retrieval every LLM prompt gets) answers every held-out question and the 100
 * off-domain questions of test/fixtures. Articles reach the index in place
 * (catch-up after the write, as after an approval), never by a rebuild.
 * Prints topic accuracy (right-topic answers over all questions, handoffs
 * counted as misses), answered and wrong rates, off-domain handoffs, and a
 * plain TF-IDF nearest-neighbour baseline on the same stage.
 *
 * ROUGE-L F (rouge-score semantics, src/learning/metrics) of each reply
 * against the held-out reference answer, a handoff's reply included.
 *
 * Then, on the full training part: the offline trainer's model (issue 13,
 * src/learning/training) trained on the same examples, stored as an
 * offline_model row and answering through the same gateway (a model version's
 * offlineModel), next to retrieval alone and the plain TF-IDF baseline.
 */
interface StageResult {
  percent: number;
  articles: number;
  right: number;
  wrong: number;
  answered: number;
  offDomainHandedOff: number;
  baseline: number;
  rougeL: number;
  msPerQuestion: number;
}

/** One answering method on the full training part. */
interface MethodResult {
  name: string;
  right: number;
  wrong: number;
  handedOff: number;
  rougeL: number;
  offDomainHandedOff: number;
  trainingMs: number | null;
}

const pct = (value: number) => `${(value * 100).toFixed(1)} %`.padStart(8);

async function main(): Promise<void> {
  const { requests, source } = loadCorpus(argument('dataset', defaultCorpusPath()));
  const examples: LabelledExample[] = requests.map((request) => ({
    question: request.instruction,
    topic: request.intent,
    answer: request.response,
  }));
  const { train, heldOut } = splitExamples(examples);
  const offDomain = loadOffDomain();
  const stages = argument('stages', '2,10,30,100').split(',').map(Number);
  log(
    `${source}: ${train.length} training examples replayed as knowledge, ${heldOut.length} held out, ${offDomain.length} off-domain questions`,
  );

  const config = loadConfig();
  const scratch = await createScratchDatabase({ serverUrl: config.DATABASE_URL, prefix: 'parley_learning' });
  const orm = await openOrm({ url: scratch.url, poolMax: 4 });
  const results: StageResult[] = [];
  const methods: MethodResult[] = [];
  try {
    await migrate(orm);
    const tenant = await createTenant(orm.em.fork(), { name: 'learning-bench' });
    const gateway = createModelGateway({
      config: { ...config, OPENAI_API_KEY: undefined, GEMINI_API_KEY: undefined, RESPONSE_CACHE_TTL_MS: 0 },
      em: orm.em,
      events: new DomainEvents(),
      logger: pino({ level: 'silent' }),
    });
    const ask = (question: string, offlineModel?: string) =>
      gateway.reply({
        tenantId: tenant.id,
        messages: [
          { role: 'system', content: 'Be kind.' },
          { role: 'user', content: question },
        ],
        cacheable: false,
        offlineModel,
      });
    /** Held-out and off-domain questions through the gateway: right / wrong topic, ROUGE-L, off-domain handoffs. */
    const measure = async (offlineModel?: string) => {
      let right = 0;
      let answered = 0;
      let rouge = 0;
      for (const example of heldOut) {
        const outcome = await ask(example.question, offlineModel);
        rouge += rougeScore(example.answer, outcome.text).rougeL.fmeasure;
        if (outcome.needsHuman) continue;
        answered += 1;
        if (outcome.metadata.topic === example.topic) right += 1;
      }
      let offDomainHandedOff = 0;
      for (const question of offDomain) if ((await ask(question, offlineModel)).needsHuman) offDomainHandedOff += 1;
      return {
        right: right / heldOut.length,
        wrong: (answered - right) / heldOut.length,
        handedOff: 1 - answered / heldOut.length,
        rougeL: rouge / heldOut.length,
        offDomainHandedOff: offDomainHandedOff / offDomain.length,
      };
    };
    await ask('hello'); // loads the (empty) index once: every later article arrives in place
    const loadsBefore = gateway.knowledgeBase.stats().loads;
    let written = 0;
    for (const percent of stages) {
      const stage = sampleExamples(train, percent);
      const added = stage.slice(written);
      const connection = orm.em.getConnection();
      for (let start = 0; start < added.length; start += 500) {
        const batch = added.slice(start, start + 500);
        await connection.execute(
          `insert into knowledge_article (id, tenant_id, created_at, updated_at, question, answer, topic, source, active)
           select gen_random_uuid(), ?, now(), now(), question, answer, topic, 'correction', true
           from jsonb_to_recordset(?::jsonb) as added (question text, answer text, topic text)`,
          [tenant.id, JSON.stringify(batch)],
        );
      }
      written = stage.length;
      await gateway.knowledgeBase.catchUp(tenant.id);

      const started = process.hrtime.bigint();
      const measured = await measure();
      const msPerQuestion = Number(process.hrtime.bigint() - started) / 1e6 / (heldOut.length + offDomain.length);

      const baselineIndex = new PlainTfidfNeighbour(stage);
      const baseline =
        heldOut.filter((example) => baselineIndex.best(example.question).topic === example.topic).length /
        heldOut.length;
      results.push({
        percent,
        articles: stage.length,
        right: measured.right,
        wrong: measured.wrong,
        answered: 1 - measured.handedOff,
        offDomainHandedOff: measured.offDomainHandedOff,
        baseline,
        rougeL: measured.rougeL,
        msPerQuestion,
      });
      if (stage.length === train.length) {
        methods.push({ name: 'retrieval alone (the knowledge base)', ...measured, trainingMs: null });
        const trainingStarted = performance.now();
        const cpuBefore = process.cpuUsage();
        const model = OfflineAnswerModel.train(stage);
        const trainingMs = performance.now() - trainingStarted;
        const cpu = process.cpuUsage(cpuBefore);
        const cpuMs = (cpu.user + cpu.system) / 1000;
        const em = orm.em.fork();
        const row = em.create(OfflineModel, {
          tenant: tenant.id,
          algorithm: model.data.algorithm,
          artifact: packModel(model),
          exampleCount: stage.length,
          trainingMs: Math.round(trainingMs),
        });
        await em.flush();
        log(
          `offline model trained on ${stage.length} examples in ${(trainingMs / 1000).toFixed(2)} s wall, ${(cpuMs / 1000).toFixed(2)} s CPU (${JSON.stringify(model.timings)} ms)`,
        );
        methods.push({ name: `offline trainer (${model.data.algorithm})`, ...(await measure(row.id)), trainingMs });
        const plain = new PlainTfidfNeighbour(stage);
        let plainRight = 0;
        let plainRouge = 0;
        for (const example of heldOut) {
          const best = plain.best(example.question);
          if (best.topic === example.topic) plainRight += 1;
          plainRouge += rougeScore(example.answer, best.answer).rougeL.fmeasure;
        }
        methods.push({
          name: 'plain TF-IDF nearest neighbour',
          right: plainRight / heldOut.length,
          wrong: 1 - plainRight / heldOut.length,
          handedOff: 0,
          rougeL: plainRouge / heldOut.length,
          offDomainHandedOff: 0,
          trainingMs: null,
        });
      }
      const last = results.at(-1)!;
      log(`stage ${percent} %: ${stage.length} articles, ${last.msPerQuestion.toFixed(1)} ms per question`);
    }
    if (gateway.knowledgeBase.stats().loads !== loadsBefore) log('warning: the index was reloaded during the run');
    gateway.close();
  } finally {
    await orm.close(true);
    await scratch.dispose();
  }

  log('');
  log(
    `${'knowledge'.padEnd(16)} ${'topic acc'.padStart(9)} ${'answered'.padStart(8)} ${'wrong'.padStart(8)} ${'off-dom'.padStart(8)} ${'ROUGE-L'.padStart(8)}   ${'TF-IDF NN'.padStart(9)}`,
  );
  for (const result of results) {
    log(
      `${`${result.percent} % (${result.articles})`.padEnd(16)} ${pct(result.right).padStart(9)} ${pct(result.answered)} ${pct(result.wrong)} ${pct(result.offDomainHandedOff)} ${result.rougeL.toFixed(3).padStart(8)}   ${pct(result.baseline).padStart(9)}`,
    );
  }
  log(
    'topic acc = right-topic answers / held-out questions (handoffs count as misses); wrong = wrong-topic answers / held-out;',
  );
  log(
    'off-dom = off-domain questions handed off; TF-IDF NN = plain TF-IDF nearest neighbour answering every question (top-1 topic accuracy).',
  );
  if (methods.length) {
    log('');
    log(`Full training part (${train.length} examples), ${heldOut.length} held out, ${offDomain.length} off-domain:`);
    log(
      `${'method'.padEnd(40)} ${'right'.padStart(8)} ${'wrong'.padStart(8)} ${'handoff'.padStart(8)} ${'ROUGE-L'.padStart(8)} ${'off-dom'.padStart(8)} ${'training'.padStart(9)}`,
    );
    for (const method of methods)
      log(
        `${method.name.padEnd(40)} ${pct(method.right)} ${pct(method.wrong)} ${pct(method.handedOff)} ${method.rougeL.toFixed(3).padStart(8)} ${pct(method.offDomainHandedOff)} ${(method.trainingMs === null ? '—' : `${(method.trainingMs / 1000).toFixed(2)} s`).padStart(9)}`,
      );
    log(
      'right = right-topic answers / held-out (handoffs count as misses); ROUGE-L F of every reply (handoffs included) vs the reference answer.',
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
