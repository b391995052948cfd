import { KnowledgeIndex } from '../knowledge-index';
import { LcsPattern, rougeMedoid, TokenIds } from './answer-medoid';
import { featureCounts, random, softmaxScores, vectorize } from './offline-features';

/**
 * The offline trainer's model: a multinomial logistic regression (softmax)
 * topic classifier over sublinear TF-IDF features of the question (Porter2
 * stems, stem bigrams and character 3–5-grams within words), plus answer
 * selection among the approved answers of the predicted topic. Off-domain
 * questions are handed off by the same similarity floor the knowledge base
 * uses (the nearest training question must score ≥ `minSimilarity`) and by
 * the classifier's own confidence (`minProbability`).
 *
 * Answer selection: the nearest training question of the predicted topic; when
 * its answer is a paraphrase of the topic's typical answer (ROUGE-L F ≥
 * TYPICAL_ROUGE_L against the topic's ROUGE-L medoid), the medoid is sent
 * instead, the wording a reference answer of the topic most resembles. A topic
 * of genuinely different answers (a shop's "orders" topic: cancel, change,
 * track) keeps each question's own answer.
 */
export const OFFLINE_ALGORITHM = 'softmax-tfidf-v1';

/** One labelled question and its approved answer (`topic` null: an unlabelled example, answered by its nearest neighbour). */
export interface TrainingPair {
  question: string;
  answer: string;
  topic: string | null;
}

export interface TrainOptions {
  epochs?: number;
  learningRate?: number;
  l2?: number;
  /** A feature must occur in this many training questions (default 2). */
  minDocumentFrequency?: number;
  minSimilarity?: number;
  minProbability?: number;
}

/** The serialised model (JSON, gzip-compressed in the database). */
export interface OfflineModelData {
  algorithm: typeof OFFLINE_ALGORITHM;
  topics: string[];
  features: string[];
  idf: number[];
  /** features × topics, row-major, base64 of a Float32Array. */
  weights: string;
  bias: number[];
  pairs: TrainingPair[];
  /** Per topic (same order as `topics`): the pair index of its ROUGE-L medoid answer. */
  medoids: number[];
  /** Per pair: 1 when its answer paraphrases its topic's medoid (answer with the medoid), else 0. */
  typical: number[];
  gate: { minSimilarity: number; minProbability: number };
}

export interface OfflinePrediction {
  /** Null when handed off, or when the answer is an unlabelled example. */
  topic: string | null;
  answer: string | null;
  probability: number;
  similarity: number;
  needsHuman: boolean;
  matchedQuestion: string | null;
}

const UNLABELLED = '\u0000unlabelled';
export const DEFAULT_MIN_SIMILARITY = 0.3;
export const DEFAULT_MIN_PROBABILITY = 0.3;
/**
 * A topic is "one answer in many wordings" when its medoid's mean ROUGE-L F against the topic's
 * other answers is at least TOPIC_COHESION (measured: 0.30–0.57 on the 27 intents of the shared
 * customer-support dataset, 0.13–0.27 on the demo shop's topics of distinct answers); then an
 * answer with ROUGE-L F ≥ TYPICAL_ROUGE_L to the medoid is answered with the medoid.
 */
export const TOPIC_COHESION = 0.28;
export const TYPICAL_ROUGE_L = 0.15;

export class OfflineAnswerModel {
  private readonly featureIndex: Map<string, number>;
  private readonly weights: Float32Array;
  private readonly index = new KnowledgeIndex();
  /** Milliseconds per training phase (set by `train`, not stored). */
  timings: Record<string, number> = {};

  private constructor(readonly data: OfflineModelData) {
    this.featureIndex = new Map(data.features.map((feature, position) => [feature, position]));
    // A fresh, aligned ArrayBuffer: a decoded Buffer may be a slice of a shared pool.
    const bytes = Buffer.from(data.weights, 'base64');
    this.weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    data.pairs.forEach((pair, position) =>
      this.index.upsert({ id: String(position), question: pair.question, answer: pair.answer, topic: pair.topic }),
    );
  }

  static fromData(data: OfflineModelData): OfflineAnswerModel {
    if (data.algorithm !== OFFLINE_ALGORITHM)
      throw new Error(`Unknown offline model algorithm ${String(data.algorithm)}`);
    return new OfflineAnswerModel(data);
  }

  /** Trains on `pairs` (labelled and unlabelled); seconds for a few thousand questions. */
  static train(pairs: readonly TrainingPair[], options: TrainOptions = {}): OfflineAnswerModel {
    const epochs = options.epochs ?? 12;
    const learningRate = options.learningRate ?? 0.5;
    const l2 = options.l2 ?? 1e-6;
    const minDf = options.minDocumentFrequency ?? 2;
    const clock = { started: performance.now(), timings: {} as Record<string, number> };
    const lap = (phase: string) => {
      const now = performance.now();
      clock.timings[phase] = Math.round(now - clock.started);
      clock.started = now;
    };
    const labels = pairs.map((pair) => pair.topic ?? UNLABELLED);
    const topics = [...new Set(labels)].sort();
    const topicIndex = new Map(topics.map((topic, position) => [topic, position]));
    const counts = pairs.map((pair) => featureCounts(pair.question));
    const df = new Map<string, number>();
    for (const terms of counts) for (const term of terms.keys()) df.set(term, (df.get(term) ?? 0) + 1);
    const features = [...df.entries()].filter(([, frequency]) => frequency >= minDf).map(([feature]) => feature);
    features.sort();
    const idf = features.map((feature) => Math.log((1 + pairs.length) / (1 + df.get(feature)!)) + 1);
    const featureIndex = new Map(features.map((feature, position) => [feature, position]));
    const vectors = counts.map((terms) => vectorize(terms, featureIndex, idf));
    lap('features');
    const classes = topics.length;
    const weights = new Float32Array(features.length * classes);
    const bias = new Float64Array(classes);
    const order = pairs.map((_, position) => position);
    const next = random(13);
    const scores = new Float64Array(classes);
    for (let epoch = 0; epoch < epochs; epoch += 1) {
      for (let position = order.length - 1; position > 0; position -= 1) {
        const swap = Math.floor(next() * (position + 1));
        [order[position], order[swap]] = [order[swap]!, order[position]!];
      }
      const rate = learningRate / (1 + epoch * 0.5);
      for (const example of order) {
        const vector = vectors[example]!;
        softmaxScores(vector, weights, bias, classes, scores);
        const target = topicIndex.get(labels[example]!)!;
        for (let label = 0; label < classes; label += 1) {
          const gradient = scores[label]! - (label === target ? 1 : 0);
          if (Math.abs(gradient) < 1e-4) continue;
          bias[label]! -= rate * gradient * 0.1;
          for (let entry = 0; entry < vector.indexes.length; entry += 1) {
            const at = vector.indexes[entry]! * classes + label;
            weights[at] = weights[at]! * (1 - rate * l2) - rate * gradient * vector.values[entry]!;
          }
        }
      }
    }
    lap('classifier');
    const { medoids, typical } = selectAnswers(pairs, labels, topics);
    lap('answers');
    const model = new OfflineAnswerModel({
      algorithm: OFFLINE_ALGORITHM,
      topics: topics.map((topic) => topic),
      features,
      idf: idf.map((value) => Math.round(value * 1e6) / 1e6),
      weights: Buffer.from(weights.buffer).toString('base64'),
      bias: [...bias],
      pairs: pairs.map((pair) => ({ question: pair.question, answer: pair.answer, topic: pair.topic })),
      medoids,
      typical,
      gate: {
        minSimilarity: options.minSimilarity ?? DEFAULT_MIN_SIMILARITY,
        minProbability: options.minProbability ?? DEFAULT_MIN_PROBABILITY,
      },
    });
    lap('index');
    model.timings = clock.timings;
    return model;
  }

  /** Topic probabilities of a question, best first. */
  classify(question: string): Array<{ topic: string | null; probability: number }> {
    const classes = this.data.topics.length;
    const scores = new Float64Array(classes);
    const vector = vectorize(featureCounts(question), this.featureIndex, this.data.idf);
    softmaxScores(vector, this.weights, this.data.bias, classes, scores);
    return this.data.topics
      .map((topic, position) => ({ topic: topic === UNLABELLED ? null : topic, probability: scores[position]! }))
      .sort((a, b) => b.probability - a.probability);
  }

  /**
   * The answer: hand off when the nearest training question is below the
   * similarity floor or the classifier is unsure; otherwise the answer of the
   * most similar training question of the predicted topic.
   */
  predict(question: string): OfflinePrediction {
    const neighbours = this.index.search(question, 50);
    const similarity = neighbours[0]?.score ?? 0;
    const [best] = this.classify(question);
    const probability = best?.probability ?? 0;
    const handOff = {
      topic: null,
      answer: null,
      probability,
      similarity,
      needsHuman: true,
      matchedQuestion: null,
    };
    if (!best || similarity < this.data.gate.minSimilarity || probability < this.data.gate.minProbability)
      return handOff;
    const chosen = neighbours.find((neighbour) => neighbour.topic === best.topic);
    if (!chosen) return handOff;
    const position = Number(chosen.id);
    const topicPosition = this.data.topics.indexOf(best.topic ?? UNLABELLED);
    const answer =
      best.topic !== null && this.data.typical[position] === 1
        ? this.data.pairs[this.data.medoids[topicPosition]!]!.answer
        : chosen.answer;
    return {
      topic: best.topic,
      answer,
      probability,
      similarity,
      needsHuman: false,
      matchedQuestion: chosen.question,
    };
  }
}

/** Each topic's ROUGE-L medoid, and which answers paraphrase their topic's medoid. */
function selectAnswers(
  pairs: readonly TrainingPair[],
  labels: readonly string[],
  topics: readonly string[],
): { medoids: number[]; typical: number[] } {
  const tokenIds = new TokenIds();
  const tokens = pairs.map((pair) => tokenIds.of(pair.answer));
  const typical = pairs.map(() => 0);
  const medoids = topics.map((topic) => {
    const members = labels.flatMap((label, position) => (label === topic ? [position] : []));
    const medoid = members[rougeMedoid(members.map((position) => tokens[position]!))]!;
    if (topic === UNLABELLED) return medoid;
    const pattern = new LcsPattern(tokens[medoid]!);
    const scores = members.map((position) => pattern.rougeL(tokens[position]!));
    const cohesion =
      members.length > 2 ? (scores.reduce((sum, score) => sum + score, 0) - 1) / (members.length - 1) : 0;
    if (cohesion >= TOPIC_COHESION)
      members.forEach((position, index) => (typical[position] = scores[index]! >= TYPICAL_ROUGE_L ? 1 : 0));
    return medoid;
  });
  return { medoids, typical };
}
