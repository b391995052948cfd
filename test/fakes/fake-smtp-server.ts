import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One email as the SMTP server received it. */
export interface ReceivedEmail {
  from: string;
  to: string[];
  /** The raw RFC 5322 message (headers and body). */
  raw: string;
  /** The body, decoded when it is quoted-printable (what nodemailer sends for long lines). */
  text: string;
  header(name: string): string | null;
}

export interface FakeSmtpServer {
  url: string;
  emails: ReceivedEmail[];
  /** Reject the next `times` messages with this SMTP reply code (421 or 451: temporary; 550: permanent). */
  reject(code: number, times?: number): void;
  close(): Promise<void>;
}

/**
 * A real SMTP server (the `smtp-server` library, nodemailer's sibling) on
 * 127.0.0.1 without TLS or authentication, keeping every message it accepts.
 */
export async function startFakeSmtpServer(): Promise<FakeSmtpServer> {
  const emails: ReceivedEmail[] = [];
  const rejections: number[] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const code = rejections.shift();
        if (code) {
          const error = Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'), {
            responseCode: code,
          });
          return callback(error);
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const [head, ...rest] = raw.split(/\r?\n\r?\n/);
        const body = rest.join('\n\n');
        const quotedPrintable = /content-transfer-encoding:\s*quoted-printable/i.test(head ?? '');
        const unfolded = (head ?? '').replace(/\r?\n[ \t]+/g, ' ');
        emails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          raw,
          text: quotedPrintable ? decodeQuotedPrintable(body) : body,
          header(name) {
            const match = unfolded
              .split(/\r?\n/)
              .find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`));
            return match ? match.slice(name.length + 1).trim() : null;
          },
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    emails,
    reject(code, times = 1) {
      for (let index = 0; index < times; index += 1) rejections.push(code);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** RFC 2045 quoted-printable: soft line breaks (`=` at the end of a line) and `=XX` bytes. */
function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
