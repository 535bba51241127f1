import type { IncomingMessage } from 'node:http';

/** One HTTP request as the handlers see it: decoded query and form parameters, lower-case single-valued headers. */
export interface IncomingCall {
  method: string;
  /** The path exactly as sent, without the query string (it is part of what ACS3 signs). */
  path: string;
  query: Record<string, string>;
  form: Record<string, string>;
  headers: Record<string, string>;
  body: Buffer;
  host: string;
}

export async function readCall(req: IncomingMessage): Promise<IncomingCall> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const url = new URL(req.url ?? '/', 'http://fake.invalid');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const isForm = (headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: rawPath,
    query: Object.fromEntries(url.searchParams),
    form: isForm ? Object.fromEntries(new URLSearchParams(body.toString('utf8'))) : {},
    headers,
    body,
    host: headers.host ?? '',
  };
}

/** RPC parameters may travel in the query or in a form body; the services read both. */
export function callParams(call: IncomingCall): Record<string, string> {
  return { ...call.query, ...call.form };
}
