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
import { createLogger } from '../logger';
import { resolveSecretKey, SecretBox } from '../security/secret-box';

const HELP = `Usage: npm run chat [-- --tenant <name>] [--customer <id>]

Chat with parley in the terminal as a customer of a tenant (default "${DEMO_TENANT_NAME}"),
on the configured database (embedded by default) and providers (offline knowledge base
unless OPENAI_API_KEY / GEMINI_API_KEY are set). Under each reply: provider, model,
complexity, routing reason, latency, tokens and cost.

Commands: /new (start over as a new customer), /help, /quit (or Ctrl-C, Ctrl-D).
`;

const dim = (text: string) => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[22m` : text);
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[22m` : text);

interface Options {
  tenant: string;
  customer: string;
}

function parseArguments(argv: string[]): Options | null {
  const options: Options = { tenant: DEMO_TENANT_NAME, customer: newCustomerId() };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    const value = argv[index + 1];
    if (argument === '--help' || argument === '-h') return null;
    if ((argument === '--tenant' || argument === '--customer') && value && !value.startsWith('--')) {
      options[argument === '--tenant' ? 'tenant' : 'customer'] = value;
      index += 1;
    } else {
      throw new AppError('BAD_USER_INPUT', `Unexpected argument "${argument}". Run npm run chat -- --help for the options.`);
    }
  }
  return options;
}

function newCustomerId(): string {
  return `terminal-${randomBytes(4).toString('hex')}`;
}

function printTurn(turn: TurnResult): void {
  if (turn.reply) process.stdout.write(`${bold('parley ›')} ${turn.reply.text}\n`);
  const details = describeRoute(turn);
  if (details) process.stdout.write(`${dim(details)}\n`);
  if (turn.status === 'handed_off') process.stdout.write(`${dim(`  [handed off to a human: ${turn.handoffReason}] — /new starts a fresh conversation with the bot`)}\n`);
  if (turn.status === 'with_human') process.stdout.write(`${dim('  [a human agent has this conversation: the bot stays quiet] — /new starts a fresh conversation')}\n`);
}

async function main(argv: string[]): Promise<number> {
  const options = parseArguments(argv);
  if (!options) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig();
  // Logs go to stderr and stay quiet unless asked for, so they do not break the conversation.
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, pino.destination(2));
  const secret = resolveSecretKey(config.secretKey, config.PARLEY_DATA_DIR);
  if (secret.warning) logger.warn(secret.warning);
  process.stdout.write(dim('Starting parley (database, providers)…\n'));
  const database: Database = await openDatabase(config, logger);
  let stack: ConversationStack | null = null;
  try {
    if (config.SEED_DEMO) await seedDemoTenant(database.orm.em.fork());
    const tenant = await database.orm.em.fork().findOne(Tenant, { name: options.tenant });
    if (!tenant) {
      const names = (await database.orm.em.fork().find(Tenant, {}, { orderBy: { name: 'asc' }, limit: 20 })).map((row) => row.name);
      throw new AppError('NOT_FOUND', `No tenant named "${options.tenant}". Known tenants: ${names.join(', ') || 'none (set SEED_DEMO=true to create the demo tenant)'}`);
    }
    stack = createConversationStack({ config, orm: database.orm, events: new DomainEvents(), logger, secretBox: new SecretBox(secret.key) });
    const providers = stack.gateway
      .configuredProviders()
      .map((status) => `${status.provider}${status.configured ? '' : ' (no key)'}`)
      .join(', ');
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
  const lines = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
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
