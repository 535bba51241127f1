import { describe, expect, it } from 'vitest';
import { effectOf, FaultTable, type Fault, type FaultEffect } from './faults.js';

describe('effectOf', () => {
  it.each<[string, Fault, FaultEffect]>([
    ['latency only', { latencyMs: 50 }, { kind: 'none' }],
    ['drop wins over everything', { drop: true, status: 500 }, { kind: 'drop' }],
    [
      'throttling defaults to HTTP 400 and the gateway message',
      { code: 'Throttling.User' },
      {
        kind: 'error',
        status: 400,
        code: 'Throttling.User',
        message: 'Request was denied due to user flow control.',
        headers: {},
      },
    ],
    [
      'retry-after is sent in milliseconds',
      { code: 'Throttling', status: 503, retryAfterSeconds: 1.5 },
      {
        kind: 'error',
        status: 503,
        code: 'Throttling',
        message: 'Request was denied due to request throttling.',
        headers: { 'x-acs-retry-after': '1500' },
      },
    ],
    [
      'a bare status gets its usual code',
      { status: 503 },
      {
        kind: 'error',
        status: 503,
        code: 'ServiceUnavailable',
        message: 'The request has failed due to a temporary failure of the server.',
        headers: {},
      },
    ],
    [
      'a bare unusual status',
      { status: 418 },
      { kind: 'error', status: 418, code: 'InvalidParameter', message: 'Injected InvalidParameter.', headers: {} },
    ],
    [
      'a code that is not throttling is a server error',
      { code: 'SYSTEM_ERROR' },
      { kind: 'error', status: 500, code: 'SYSTEM_ERROR', message: 'Injected SYSTEM_ERROR.', headers: {} },
    ],
    [
      'IsSuccess:false with its code and message',
      { isSuccessFalse: true, code: 'INSTANCE_STATUS_INVALID', message: 'instance is not running' },
      { kind: 'is-success-false', code: 'INSTANCE_STATUS_INVALID', message: 'instance is not running' },
    ],
  ])('%s', (_what, fault, effect) => {
    expect(effectOf(fault)).toEqual(effect);
  });
});

describe('FaultTable', () => {
  it('applies a fault the given number of times, then never again', () => {
    const table = new FaultTable();
    table.set('GetAuthorizationToken', { status: 500, times: 2 });
    const kinds = [1, 2, 3].map(() => table.take('GetAuthorizationToken')?.effect.kind);
    expect(kinds).toEqual(['error', 'error', undefined]);
    expect(table.take('ListInstance')).toBeUndefined();
  });

  it('never applies a fault for zero times', () => {
    const table = new FaultTable();
    table.set('ListInstanceEndpoint', { status: 500, times: 0 });
    expect(table.take('ListInstanceEndpoint')).toBeUndefined();
  });

  it('applies a fault without times until cleared, and a new fault replaces the old one', () => {
    const table = new FaultTable();
    table.set('AssumeRole', { status: 500 });
    expect([1, 2, 3].map(() => table.take('AssumeRole')?.effect.kind)).toEqual(['error', 'error', 'error']);
    table.set('AssumeRole', { drop: true });
    expect(table.take('AssumeRole')?.effect.kind).toBe('drop');
    table.clear();
    expect(table.take('AssumeRole')).toBeUndefined();
  });
});
