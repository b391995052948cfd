import http from 'node:http';
import { randomUUID } from 'node:crypto';
import pg from 'pg';

/**
 * The turn benchmark's baseline: a webhook handler doing only the work no
 * WhatsApp bot can skip, with nothing else: parse the form, one insert, answer
 * Twilio, one HTTP call to the (fake) LLM, one to the (fake) Twilio API.
 * Started by turns-bench.ts as a child process, exactly like parley, with its
 * settings as one JSON argument.
 */
interface Settings {
  port: number;
  databaseUrl: string;
  llmUrl: string;
  twilioUrl: string;
  accountSid: string;
  authToken: string;
  poolMax: number;
}

const settings = JSON.parse(process.argv[2] ?? '{}') as Settings;
const pool = new pg.Pool({ connectionString: settings.databaseUrl, max: settings.poolMax });
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`;
const twilioPath = `/2010-04-01/Accounts/${settings.accountSid}/Messages.json`;

function post(base: string, path: string, body: string, headers: Record<string, string>): Promise<string> {
  const target = new URL(path, base);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: { ...headers, 'Content-Length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function turn(fields: URLSearchParams): Promise<void> {
  const completion = JSON.parse(
    await post(
      settings.llmUrl,
      'chat/completions',
      JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: fields.get('Body') ?? '' }] }),
      {
        'Content-Type': 'application/json',
        Authorization: 'Bearer sk-bench',
      },
    ),
  ) as { choices: { message: { content: string } }[] };
  const reply = new URLSearchParams({
    To: fields.get('From') ?? '',
    From: fields.get('To') ?? '',
    Body: completion.choices[0]!.message.content,
  });
  await post(settings.twilioUrl, twilioPath, reply.toString(), {
    'Content-Type': 'application/x-www-form-urlencoded',
    Authorization: authorization,
  });
}

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const fields = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    pool
      .query('insert into baseline_message (id, message_sid, sender, body) values ($1, $2, $3, $4)', [
        randomUUID(),
        fields.get('MessageSid'),
        fields.get('From'),
        fields.get('Body'),
      ])
      .then(() => {
        response.writeHead(200, { 'Content-Type': 'text/xml' });
        response.end('<Response></Response>');
        return turn(fields);
      })
      .catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500).end();
        process.stderr.write(`baseline turn failed: ${String(error)}\n`);
      });
  });
});

server.listen(settings.port, '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
