import { describe, expect, it } from 'vitest';
import { describeCallError } from '../../../provider/cloud/openapi-call.js';

const named = (name: string, fields: Record<string, unknown> = {}) =>
  Object.assign(new Error('library text'), { name, ...fields });

describe('describeCallError', () => {
  it.each<[string, unknown, Record<string, unknown>]>([
    [
      'a throttling answer with its retry-after',
      named('ThrottlingError', {
        code: 'Throttling.User',
        statusCode: 400,
        requestId: 'R-1',
        retryAfter: 1500,
        data: { Message: 'slow down' },
      }),
      { code: 'Throttling.User', httpStatus: 400, requestId: 'R-1', retryAfterMs: 1500, detail: 'slow down' },
    ],
    [
      'a client error whose request ID the library stringified from undefined',
      named('ClientError', {
        code: 'NoPrivilege',
        statusCode: 403,
        requestId: 'undefined',
        data: { message: 'denied' },
      }),
      { code: 'NoPrivilege', httpStatus: 403, requestId: undefined, detail: 'denied' },
    ],
    [
      'a server error without a code',
      named('ServerError', { code: 'undefined', statusCode: 502, data: {} }),
      { code: 'HTTP502', httpStatus: 502, detail: 'the service refused the request' },
    ],
    [
      'a connect or read timeout (httpx names both RequestTimeoutError)',
      named('RequestTimeoutError'),
      { code: 'Timeout', detail: 'no answer within 5000 ms' },
    ],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      { code: 'NetworkError', detail: 'connection failed (ECONNREFUSED)' },
    ],
    ['a dropped connection', new Error('socket hang up'), { code: 'NetworkError' }],
    [
      'an answer that is not JSON',
      new SyntaxError('Unexpected token <'),
      { code: 'InvalidResponse', detail: 'the answer was not JSON' },
    ],
  ])('%s', (_, error, expected) => {
    expect(describeCallError(error, 5000)).toMatchObject(expected);
  });

  it('keeps a library message out, since it can quote the request URL and its parameters', () => {
    const error = new Error('GET http://cr.example/?OIDCToken=eyJsecret&Signature=abc failed.');
    const details = describeCallError(error, 5000);
    expect(details.code).toBe('InvalidResponse');
    expect(details.detail).not.toContain('eyJsecret');
    expect(details.detail).not.toContain('Signature');
  });
});
