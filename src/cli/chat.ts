// First: parses the command line (and answers --help) before anything heavy loads.
import { commandLine, COMMANDS } from './command-line';
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import readline from 'node:readline';
import pino from 'pino';
import { loadConfig } from '../config';
import { runCli } from './cli-runner';
import { openDatabase, type Database } from '../db/database';
import { Tenant } from '../db/entities';
import { DEMO_TENANT_NAME, seedDemoTenant } from '../db/seed';
import { createConversationStack, type ConversationStack } from '../engine/engine-stack';
import type { TurnResult } from '../engine/types';
import { describeRoute } from './chat-output';
import { AppError } from '../errors';
import { DomainEvents } from '../events';
import { checkProviders, describeProviderCheck } from '../providers/provider-check';
import { createOnceLogger } from './once-logger';
import { resolveSecretKey, SecretBox } from '../security/secret-box';

const HELP = COMMANDS['src/cli/chat']!.usage;

const dim = (text: string) => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[22m` : text);
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[22m` : text);

interface Options {
  tenant: string;
  customer: string;
}

function parseArguments(): Options {
  const { values } = commandLine();
  return {
    tenant: typeof values.tenant === 'string' ? values.tenant : DEMO_TENANT_NAME,
    customer: typeof values.customer === 'string' ? values.customer : newCustomerId(),
  };
}

function newCustomerId(): string {
  return `terminal-${randomBytes(4).toString('hex')}`;
}

function printTurn(turn: TurnResult): void {
  if (turn.reply) process.stdout.write(`${bold('parley ›')} ${turn.reply.text}\n`);
  const details = describeRoute(turn);
  if (details) process.stdout.write(`${dim(details)}\n`);
  if (turn.status === 'handed_off')
    process.stdout.write(
      `${dim(`  [handed off to a human: ${turn.handoffReason}] — /new starts a fresh conversation with the bot`)}\n`,
    );
  if (turn.status === 'with_human')
    process.stdout.write(
      `${dim('  [a human agent has this conversation: the bot stays quiet] — /new starts a fresh conversation')}\n`,
    );
}

async function main(): Promise<number> {
  const options = parseArguments();
  const config = loadConfig();
  // Logs go to stderr and stay quiet unless asked for, so they do not break the conversation.
  // A repeated warning (a provider failing on every turn) is written once.
  const logger = createOnceLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, pino.destination(2));
  const secret = resolveSecretKey(config.secretKey, config.PARLEY_DATA_DIR);
  if (secret.warning) logger.warn(secret.warning);
  process.stdout.write(dim('Starting parley (database, providers)…\n'));
  const database: Database = await openDatabase(config, logger);
  let stack: ConversationStack | null = null;
  try {
    if (config.SEED_DEMO) await seedDemoTenant(database.orm.em.fork());
    const tenant = await database.orm.em.fork().findOne(Tenant, { name: options.tenant });
    if (!tenant) {
      const names = (await database.orm.em.fork().find(Tenant, {}, { orderBy: { name: 'asc' }, limit: 20 })).map(
        (row) => row.name,
      );
      throw new AppError(
        'NOT_FOUND',
        `No tenant named "${options.tenant}". Known tenants: ${names.join(', ') || 'none (set SEED_DEMO=true to create the demo tenant)'}`,
      );
    }
    stack = createConversationStack({
      config,
      orm: database.orm,
      events: new DomainEvents(),
      logger,
      secretBox: new SecretBox(secret.key),
    });
    const providers = stack.gateway
      .configuredProviders()
      .map((status) => `${status.provider}${status.configured ? '' : ' (no key)'}`)
      .join(', ');
    // Say once, before the first question, when a configured provider cannot be used.
    for (const check of await checkProviders(config, { timeoutMs: 3_000 })) {
      if (check.status !== 'ok') process.stdout.write(dim(`${describeProviderCheck(check)}\n`));
    }
    process.stdout.write(
      `${bold('parley')} — chatting as customer ${options.customer} of "${tenant.name}" · database ${database.mode} · providers: ${providers}\n` +
        dim('Type a message (e.g. "How long does delivery take?"), /new, /help or /quit.\n'),
    );
    await converse(stack, tenant.id, options.customer);
    return 0;
  } finally {
    await stack?.close();
    await database.close();
  }
}

async function converse(stack: ConversationStack, tenantId: string, firstCustomer: string): Promise<void> {
  let customer = firstCustomer;
  const lines = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: process.stdin.isTTY,
  });
  // Ctrl-C ends the chat like Ctrl-D: the loop below finishes the turn in progress, then everything stops.
  lines.on('SIGINT', () => lines.close());
  const stop = () => lines.close();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const prompt = () => {
    if (!process.stdin.isTTY) return;
    lines.setPrompt('you › ');
    lines.prompt();
  };
  prompt();
  for await (const raw of lines) {
    const text = raw.trim();
    if (text === '/quit' || text === '/exit') break;
    if (text === '/help') process.stdout.write(HELP);
    else if (text === '/new') {
      customer = newCustomerId();
      process.stdout.write(dim(`New conversation as customer ${customer}.\n`));
    } else if (text) {
      try {
        printTurn(await stack.engine.handleTurn({ tenantId, channel: 'terminal', externalId: customer, text }));
      } catch (error) {
        process.stdout.write(`  could not answer: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    prompt();
  }
  process.off('SIGTERM', stop);
  process.off('SIGINT', stop);
  lines.close();
  process.stdout.write(dim('\nBye.\n'));
}

if (require.main === module) runCli('chat', main);
