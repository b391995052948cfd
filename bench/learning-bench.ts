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
 * TODO(lead, after issue 12 items 3–5 land): run each stage through the
 * evaluator (src/learning) instead of the loop below, and print its ROUGE-L
 * of the replies against the held-out reference answers next to the topic accuracy.
 */
interface StageResult {
  percent: number;
  articles: number;
  right: number;
  wrong: number;
  answered: number;
  offDomainHandedOff: number;
  baseline: number;
  msPerQuestion: number;
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
  try {
    await migrate(orm);
    const tenant = await createTenant(orm.em.fork(), { name: 'learning-bench' });
    const gateway = createModelGateway({
      config: { ...config, OPENAI_API_KEY: undefined, GEMINI_API_KEY: undefined, RESPONSE_CACHE_TTL_MS: 0 },
      em: orm.em,
      events: new DomainEvents(),
      logger: pino({ level: 'silent' }),
    });
    const ask = (question: string) =>
      gateway.reply({
        tenantId: tenant.id,
        messages: [
          { role: 'system', content: 'Be kind.' },
          { role: 'user', content: question },
        ],
        cacheable: false,
      });
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
      let right = 0;
      let answered = 0;
      for (const example of heldOut) {
        const outcome = await ask(example.question);
        if (outcome.needsHuman) continue;
        answered += 1;
        if (outcome.metadata.topic === example.topic) right += 1;
      }
      let offDomainHandedOff = 0;
      for (const question of offDomain) if ((await ask(question)).needsHuman) offDomainHandedOff += 1;
      const msPerQuestion = Number(process.hrtime.bigint() - started) / 1e6 / (heldOut.length + offDomain.length);

      const baselineIndex = new PlainTfidfNeighbour(stage);
      const baseline =
        heldOut.filter((example) => baselineIndex.best(example.question).topic === example.topic).length /
        heldOut.length;
      results.push({
        percent,
        articles: stage.length,
        right: right / heldOut.length,
        wrong: (answered - right) / heldOut.length,
        answered: answered / heldOut.length,
        offDomainHandedOff: offDomainHandedOff / offDomain.length,
        baseline,
        msPerQuestion,
      });
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
      `${`${result.percent} % (${result.articles})`.padEnd(16)} ${pct(result.right).padStart(9)} ${pct(result.answered)} ${pct(result.wrong)} ${pct(result.offDomainHandedOff)} ${'TODO'.padStart(8)}   ${pct(result.baseline).padStart(9)}`,
    );
  }
  log(
    'topic acc = right-topic answers / held-out questions (handoffs count as misses); wrong = wrong-topic answers / held-out;',
  );
  log(
    'off-dom = off-domain questions handed off; TF-IDF NN = plain TF-IDF nearest neighbour answering every question (top-1 topic accuracy).',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
