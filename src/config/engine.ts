import { z } from 'zod';
import { booleanString, positiveInt, type Setting } from './setting';

/** Conversation engine and knowledge base: retrieval thresholds, history, message leases, handoff release. */
export const engineSettings = {
  KB_CONFIDENCE_THRESHOLD: {
    schema: z.coerce.number().min(0).max(1),
    default: '0.3',
    expectation:
      'must be a number from 0 to 1 (knowledge similarity needed to answer, and to be a reference answer in a prompt)',
  },
  KB_MIN_MARGIN: {
    schema: z.coerce.number().min(0).max(1),
    default: '0.02',
    expectation:
      'must be a number from 0 to 1 (below a clear match, how far the best article must lead the best one of another topic for the knowledge base to answer)',
  },
  KB_RETRIEVAL_K: {
    schema: z.coerce.number().int().min(0).max(20),
    default: '3',
    expectation: 'must be an integer from 0 to 20 (approved answers put in each LLM prompt as references; 0 = none)',
  },
  KB_LISTEN: {
    schema: booleanString,
    default: 'true',
    expectation: 'must be true or false (listen for knowledge changes made by other instances)',
  },
  HISTORY_TOKEN_BUDGET: {
    schema: positiveInt,
    default: '8000',
    expectation:
      'must be a positive integer (tokens of conversation history sent with each turn; older messages are left out)',
  },
  INSTANCE_HEARTBEAT_MS: {
    schema: positiveInt,
    default: '2000',
    expectation: 'must be a positive integer (milliseconds between two heartbeats of this instance in PostgreSQL)',
  },
  INSTANCE_STALE_AFTER_MS: {
    schema: positiveInt,
    default: '10000',
    expectation:
      'must be a positive integer of at least two heartbeats (milliseconds without a heartbeat after which an instance is dead and its claims are taken over)',
  },
  MESSAGE_PROCESSING_LEASE_MS: {
    schema: positiveInt,
    default: '300000',
    expectation:
      'must be a positive integer (milliseconds a worker may spend answering one message before its claim is taken back after a crash)',
  },
  HANDOFF_IDLE_RELEASE_MINUTES: {
    schema: z.coerce.number().int().min(0),
    default: '30',
    expectation:
      'must be a whole number of minutes (0 = never): a handed-off conversation quiet this long goes back to the bot, on every channel, unless the tenant sets settings.handoff.idleReleaseMinutes',
  },
} satisfies Record<string, Setting>;
