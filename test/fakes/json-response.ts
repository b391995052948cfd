import type http from 'node:http';

/** Answers with `body` as JSON (the fakes' vendors all speak JSON), with any extra headers. */
export function sendJson(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
