import express, { type NextFunction, type Request, type Response } from 'express';
import querystring from 'node:querystring';

/**
 * What Bolt must never see: a body that is not a JSON object. Bolt parses the
 * body and reads fields from it without checking its shape, so a signed `null`
 * (or `"text"`, `[]`, broken JSON) became an HTTP 500. Slack only ever sends an
 * object (Events API JSON, or a form whose `payload` field is a JSON object; slash
 * commands are plain forms), so anything else is a 400 here, before Bolt.
 */
export function slackBodyProblem(raw: string, contentType: string): string | null {
  const isForm = contentType.includes('application/x-www-form-urlencoded');
  let json: string | null = raw;
  if (isForm) {
    const fields = querystring.parse(raw);
    if (fields.payload === undefined) return null;
    if (typeof fields.payload !== 'string') return 'the payload field must appear once';
    json = fields.payload;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return isForm ? 'the payload field is not valid JSON' : 'the body is not valid JSON';
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return 'a Slack payload must be a JSON object';
  return null;
}

/**
 * Reads the raw body once (Bolt takes it from `req.rawBody` for its signature
 * check, so nothing is lost) and refuses malformed payloads with 400.
 */
export function slackPayloadGuard(limit = '1mb'): express.RequestHandler[] {
  return [
    express.raw({ type: () => true, limit }),
    (request: Request, response: Response, next: NextFunction) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const problem = slackBodyProblem(raw.toString('utf8'), request.header('content-type') ?? '');
      if (problem) {
        response.status(400).json({ error: { code: 'BAD_USER_INPUT', message: `Not a Slack request: ${problem}` } });
        return;
      }
      // Bolt's body parser reads a pre-read body from here (the Google Cloud Functions convention).
      (request as Request & { rawBody?: Buffer }).rawBody = raw;
      next();
    },
  ];
}
