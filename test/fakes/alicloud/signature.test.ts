import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAlicloud, type FakeAlicloud } from './index.js';
import { crParams, openApiClient, type SigningStyle } from './sdk-clients.js';
import { percentEncode } from './signature.js';
import * as core from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';

/**
 * Requests exactly as the SDK signs them, captured and then replayed or altered on the wire: proves the fake checks what
 * the signature covers (query, body, headers) and refuses a replayed nonce, as the real gateway does.
 */

interface CapturedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const PULLER = { accessKeyId: 'LTAI-puller', accessKeySecret: 'puller-secret-value' };
const INSTANCE = 'cri-abc123';

let fake: FakeAlicloud;

beforeEach(async () => {
  fake = await startFakeAlicloud();
  fake.addAccessKey({ ...PULLER, principal: 'user/puller' });
  fake.addInstance({
    instanceId: INSTANCE,
    instanceName: 'acme',
    region: 'cn-hangzhou',
    domains: [],
    allowedPrincipals: ['user/puller'],
  });
});

afterEach(async () => {
  await fake.close();
});

/** Lets the SDK sign a GetAuthorizationToken call against a recorder that always answers 200, and returns what it sent. */
async function captureSigned(style: SigningStyle, placement: 'query' | 'form'): Promise<CapturedRequest> {
  let captured: CapturedRequest | undefined;
  const recorder = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      captured = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
  try {
    const client = openApiClient(`127.0.0.1:${(recorder.address() as AddressInfo).port}`, PULLER, style);
    const parameters = { InstanceId: INSTANCE, RegionId: 'cn-hangzhou' };
    const params = crParams('GetAuthorizationToken');
    const openApiRequest = new core.$OpenApiUtil.OpenApiRequest(
      placement === 'query' ? { query: parameters } : { body: parameters },
    );
    await client.callApi(params, openApiRequest, new RuntimeOptions({}));
  } finally {
    recorder.closeAllConnections();
    await new Promise<void>((resolve) => recorder.close(() => resolve()));
  }
  if (!captured) throw new Error('the SDK sent nothing');
  return captured;
}

/** Sends a captured request to the fake byte for byte (Host header included, since it is signed). */
async function replay(
  captured: CapturedRequest,
  change: Partial<CapturedRequest> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const sent = { ...captured, ...change };
  // The SDK streamed the body (chunked); the replay sends it whole.
  const { 'transfer-encoding': _chunked, ...headers } = sent.headers;
  const port = Number(new URL(fake.url).port);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        method: sent.method,
        path: sent.url,
        headers: { ...headers, 'content-length': String(sent.body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(sent.body);
  });
}

describe.each<[SigningStyle, 'query' | 'form']>([
  ['acs3', 'query'],
  ['acs3', 'form'],
  ['rpc-v1', 'query'],
  ['rpc-v1', 'form'],
])('%s signature with parameters in the %s', (style, placement) => {
  it('accepts the request once and refuses its replay with SignatureNonceUsed', async () => {
    const captured = await captureSigned(style, placement);
    const first = await replay(captured);
    expect([first.status, first.body.IsSuccess]).toEqual([200, true]);
    const second = await replay(captured);
    expect([second.status, second.body.Code]).toEqual([400, 'SignatureNonceUsed']);
    expect(fake.count('GetAuthorizationToken')).toBe(2);
  });

  it('refuses the request when a signed parameter is altered', async () => {
    const captured = await captureSigned(style, placement);
    const altered =
      placement === 'query'
        ? { url: captured.url.replace(`InstanceId=${INSTANCE}`, 'InstanceId=cri-other') }
        : {
            body: Buffer.from(captured.body.toString('utf8').replace(`InstanceId=${INSTANCE}`, 'InstanceId=cri-other')),
          };
    expect(altered.url ?? altered.body?.toString()).toContain('cri-other');
    const answer = await replay(captured, altered);
    expect([answer.status, answer.body.Code]).toEqual([400, 'SignatureDoesNotMatch']);
  });
});

describe('ACS3 signed headers', () => {
  it('refuses the request when a signed x-acs header is altered', async () => {
    const captured = await captureSigned('acs3', 'query');
    const answer = await replay(captured, {
      headers: { ...captured.headers, 'x-acs-signature-nonce': 'another-nonce-than-signed' },
    });
    expect([answer.status, answer.body.Code]).toEqual([400, 'SignatureDoesNotMatch']);
  });

  it.each(['host', 'x-acs-action', 'x-acs-date', 'x-acs-signature-nonce'])(
    'refuses a SignedHeaders list without %s with IncompleteSignature',
    async (left) => {
      const captured = await captureSigned('acs3', 'query');
      const authorization = String(captured.headers.authorization).replace(
        /SignedHeaders=([^,]+)/,
        (_all, list: string) =>
          `SignedHeaders=${list
            .split(';')
            .filter((name) => name !== left)
            .join(';')}`,
      );
      expect(authorization).not.toMatch(new RegExp(`SignedHeaders=[^,]*\\b${left}\\b`));
      const answer = await replay(captured, { headers: { ...captured.headers, authorization } });
      expect([answer.status, answer.body.Code]).toEqual([400, 'IncompleteSignature']);
    },
  );

  it('refuses an Authorization header it cannot parse with IncompleteSignature', async () => {
    const captured = await captureSigned('acs3', 'query');
    const answer = await replay(captured, {
      headers: { ...captured.headers, authorization: 'ACS3-HMAC-SHA256 Credential=LTAI-puller' },
    });
    expect([answer.status, answer.body.Code]).toEqual([400, 'IncompleteSignature']);
  });
});

describe.each<[SigningStyle, string, string]>([
  ['acs3', 'x-acs-signature-nonce', 'x-acs-date'],
  ['rpc-v1', 'SignatureNonce', 'Timestamp'],
])('%s nonce and timestamp', (style, nonce, timestamp) => {
  /** The captured request with one of its stamps replaced (undefined: removed). */
  function stamped(captured: CapturedRequest, name: string, value: string | undefined): Partial<CapturedRequest> {
    if (style === 'acs3') {
      const { [name]: _old, ...headers } = captured.headers;
      return { headers: value === undefined ? headers : { ...headers, [name]: value } };
    }
    const url = new URL(captured.url, 'http://fake');
    if (value === undefined) url.searchParams.delete(name);
    else url.searchParams.set(name, value);
    return { url: `${url.pathname}${url.search}` };
  }

  it('refuses a request without a nonce with MissingSignatureNonce', async () => {
    const captured = await captureSigned(style, 'query');
    const answer = await replay(captured, stamped(captured, nonce, undefined));
    expect([answer.status, answer.body.Code]).toEqual([400, 'MissingSignatureNonce']);
  });

  it('refuses a request without a timestamp with MissingTimestamp', async () => {
    const captured = await captureSigned(style, 'query');
    const answer = await replay(captured, stamped(captured, timestamp, undefined));
    expect([answer.status, answer.body.Code]).toEqual([400, 'MissingTimestamp']);
  });

  it('refuses a timestamp that is not ISO 8601 UTC with InvalidTimeStamp.Format', async () => {
    const captured = await captureSigned(style, 'query');
    const answer = await replay(captured, stamped(captured, timestamp, 'Tue, 01 Dec 2026 10:00:00 GMT'));
    expect([answer.status, answer.body.Code]).toEqual([400, 'InvalidTimeStamp.Format']);
  });

  it('accepts a request stamped 14 minutes from the gateway clock, refuses one 16 minutes off', async () => {
    const captured = await captureSigned(style, 'query');
    const at = Date.now();
    fake.setGatewayClock(() => at + 14 * 60_000);
    expect((await replay(captured)).status).toBe(200);
    fake.setGatewayClock(() => at - 16 * 60_000);
    const late = await replay(captured, stamped(captured, nonce, 'a-fresh-nonce-for-the-second-send'));
    expect([late.status, late.body.Code]).toEqual([400, 'InvalidTimeStamp.Expired']);
  });
});

describe('percentEncode', () => {
  it.each([
    ['plain', 'plain'],
    ['a b', 'a%20b'],
    ["!'()*", '%21%27%28%29%2A'],
    ['~-._', '~-._'],
    ['acs:ram::1234:role/x', 'acs%3Aram%3A%3A1234%3Arole%2Fx'],
    ['中', '%E4%B8%AD'],
  ])('%s → %s', (raw, encoded) => {
    expect(percentEncode(raw)).toBe(encoded);
  });
});
