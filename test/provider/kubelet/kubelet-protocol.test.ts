import { describe, expect, it } from 'vitest';
import {
  API_VERSIONS,
  formatCacheDuration,
  formatResponse,
  parseRequest,
  type ApiVersion,
} from '../../../provider/kubelet/kubelet-protocol.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu.sig';

function request(fields: Record<string, unknown>): string {
  return JSON.stringify({
    kind: 'CredentialProviderRequest',
    apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
    image: 'registry.cn-hangzhou.aliyuncs.com/ns/app',
    ...fields,
  });
}

describe('parseRequest', () => {
  it.each(API_VERSIONS)('accepts %s and keeps the version for the answer', (apiVersion) => {
    expect(parseRequest(request({ apiVersion }))).toEqual({
      ok: true,
      request: { apiVersion, image: 'registry.cn-hangzhou.aliyuncs.com/ns/app' },
    });
  });

  it('reads the service-account-token mode fields of v1', () => {
    const parsed = parseRequest(
      request({
        serviceAccountToken: TOKEN,
        serviceAccountAnnotations: { 'acr.example/role': 'arn:acs:ram::1:role/pull' },
      }),
    );
    expect(parsed).toEqual({
      ok: true,
      request: {
        apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
        image: 'registry.cn-hangzhou.aliyuncs.com/ns/app',
        serviceAccountToken: TOKEN,
        serviceAccountAnnotations: { 'acr.example/role': 'arn:acs:ram::1:role/pull' },
      },
    });
  });

  it.each([
    ['unknown fields', { futureField: { nested: true }, metadata: {} }],
    [
      'empty token and annotations (Go omits them, older encoders may not)',
      { serviceAccountToken: '', serviceAccountAnnotations: {} },
    ],
    ['null token and annotations', { serviceAccountToken: null, serviceAccountAnnotations: null }],
  ])('ignores %s', (_name, fields) => {
    expect(parseRequest(request(fields))).toEqual({
      ok: true,
      request: {
        apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
        image: 'registry.cn-hangzhou.aliyuncs.com/ns/app',
      },
    });
  });

  it('accepts surrounding whitespace and a trailing newline', () => {
    expect(parseRequest(`\n  ${request({})}\n`).ok).toBe(true);
  });

  it.each([
    ['empty stdin', '', 'the CredentialProviderRequest on stdin is empty'],
    ['blank stdin', ' \n\t', 'the CredentialProviderRequest on stdin is empty'],
    ['garbage', 'image=nginx', 'the CredentialProviderRequest on stdin is not valid JSON (11 bytes)'],
    [
      'truncated JSON with a token',
      `{"serviceAccountToken":"${TOKEN}"`,
      `the CredentialProviderRequest on stdin is not valid JSON (${TOKEN.length + 25} bytes)`,
    ],
    ['an array', '[]', 'the CredentialProviderRequest on stdin is an array, not a JSON object'],
    ['null', 'null', 'the CredentialProviderRequest on stdin is null, not a JSON object'],
    [
      'a string',
      '"registry.cn-hangzhou.aliyuncs.com/ns/app"',
      'the CredentialProviderRequest on stdin is a string, not a JSON object',
    ],
    [
      'missing apiVersion',
      request({ apiVersion: undefined }),
      `apiVersion missing is not supported; expected one of ${API_VERSIONS.join(', ')}`,
    ],
    [
      'unknown apiVersion',
      request({ apiVersion: 'credentialprovider.kubelet.k8s.io/v2' }),
      `apiVersion "credentialprovider.kubelet.k8s.io/v2" is not supported; expected one of ${API_VERSIONS.join(', ')}`,
    ],
    [
      'apiVersion of another group',
      request({ apiVersion: 'kubelet.config.k8s.io/v1' }),
      `apiVersion "kubelet.config.k8s.io/v1" is not supported; expected one of ${API_VERSIONS.join(', ')}`,
    ],
    [
      'a number as apiVersion',
      request({ apiVersion: 1 }),
      `apiVersion 1 is not supported; expected one of ${API_VERSIONS.join(', ')}`,
    ],
    ['missing kind', request({ kind: undefined }), 'kind missing is not CredentialProviderRequest'],
    [
      'the response kind',
      request({ kind: 'CredentialProviderResponse' }),
      'kind "CredentialProviderResponse" is not CredentialProviderRequest',
    ],
    [
      'missing image',
      request({ image: undefined }),
      'image is missing; expected the image to pull, e.g. registry.cn-hangzhou.aliyuncs.com/ns/app',
    ],
    [
      'empty image',
      request({ image: ' ' }),
      'image is empty; expected the image to pull, e.g. registry.cn-hangzhou.aliyuncs.com/ns/app',
    ],
    [
      'image not a string',
      request({ image: ['a'] }),
      'image is an array; expected the image to pull, e.g. registry.cn-hangzhou.aliyuncs.com/ns/app',
    ],
    [
      'token that is not a string',
      request({ serviceAccountToken: 42 }),
      'serviceAccountToken is a number; expected a string',
    ],
    [
      'token on v1beta1',
      request({ apiVersion: 'credentialprovider.kubelet.k8s.io/v1beta1', serviceAccountToken: TOKEN }),
      'serviceAccountToken is only defined in credentialprovider.kubelet.k8s.io/v1, not in credentialprovider.kubelet.k8s.io/v1beta1',
    ],
    [
      'token on v1alpha1',
      request({ apiVersion: 'credentialprovider.kubelet.k8s.io/v1alpha1', serviceAccountToken: TOKEN }),
      'serviceAccountToken is only defined in credentialprovider.kubelet.k8s.io/v1, not in credentialprovider.kubelet.k8s.io/v1alpha1',
    ],
    [
      'annotations on v1beta1',
      request({ apiVersion: 'credentialprovider.kubelet.k8s.io/v1beta1', serviceAccountAnnotations: { a: 'b' } }),
      'serviceAccountAnnotations is only defined in credentialprovider.kubelet.k8s.io/v1, not in credentialprovider.kubelet.k8s.io/v1beta1',
    ],
    [
      'annotations as a list',
      request({ serviceAccountAnnotations: ['a'] }),
      'serviceAccountAnnotations is an array; expected a map of strings',
    ],
    [
      'annotations as a string',
      request({ serviceAccountAnnotations: 'acr.example/role=x' }),
      'serviceAccountAnnotations is a string; expected a map of strings',
    ],
    [
      'a kind of 80 characters as JSON, shown whole',
      request({ kind: 'k'.repeat(78) }),
      `kind "${'k'.repeat(78)}" is not CredentialProviderRequest`,
    ],
    [
      'a kind of 81 characters as JSON, cut to 80',
      request({ kind: 'k'.repeat(79) }),
      `kind "${'k'.repeat(76)}... is not CredentialProviderRequest`,
    ],
    [
      'annotation value not a string',
      request({ serviceAccountAnnotations: { 'acr.example/role': true } }),
      'serviceAccountAnnotations["acr.example/role"] is a boolean; expected a string',
    ],
  ])('rejects %s with a one-line message', (_name, stdin, message) => {
    const parsed = parseRequest(stdin);
    expect(parsed).toEqual({ ok: false, message });
    expect(message).not.toMatch(/[\r\n]/);
    expect(message).not.toContain(TOKEN);
  });

  it('keeps long unknown values in messages short', () => {
    const parsed = parseRequest(request({ apiVersion: 'x'.repeat(500) }));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message.length).toBeLessThan(250);
  });
});

describe('formatResponse', () => {
  const auth = { 'registry.cn-hangzhou.aliyuncs.com': { username: 'cr_temp_user', password: 'pw' } };

  it.each(API_VERSIONS)(
    'answers %s with exactly the fields the strict decoder knows, in that version',
    (apiVersion: ApiVersion) => {
      const text = formatResponse(apiVersion, { cacheKeyType: 'Registry', cacheDurationSeconds: 2700, auth });
      expect(text).toBe(
        `{"kind":"CredentialProviderResponse","apiVersion":"${apiVersion}","cacheKeyType":"Registry","cacheDuration":"2700s","auth":{"registry.cn-hangzhou.aliyuncs.com":{"username":"cr_temp_user","password":"pw"}}}`,
      );
    },
  );

  it('omits cacheDuration when undefined so the kubelet applies defaultCacheDuration', () => {
    expect(
      JSON.parse(formatResponse('credentialprovider.kubelet.k8s.io/v1', { cacheKeyType: 'Image', auth: {} })),
    ).toStrictEqual({
      kind: 'CredentialProviderResponse',
      apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
      cacheKeyType: 'Image',
      auth: {},
    });
  });

  it('drops properties of auth entries that the kubelet does not know', () => {
    const extra = { username: 'u', password: 'p', auth: 'dTpw', email: 'x@example.com' };
    const text = formatResponse('credentialprovider.kubelet.k8s.io/v1', {
      cacheKeyType: 'Global',
      cacheDurationSeconds: 0,
      auth: { '*.*.cr.aliyuncs.com': extra },
    });
    expect(text).toBe(
      '{"kind":"CredentialProviderResponse","apiVersion":"credentialprovider.kubelet.k8s.io/v1","cacheKeyType":"Global","cacheDuration":"0s","auth":{"*.*.cr.aliyuncs.com":{"username":"u","password":"p"}}}',
    );
  });

  it('writes one auth entry per pattern, in order', () => {
    const text = formatResponse('credentialprovider.kubelet.k8s.io/v1', {
      cacheKeyType: 'Registry',
      auth: {
        'b-registry.cn-beijing.cr.aliyuncs.com': { username: 'u1', password: 'p1' },
        'b-registry-vpc.cn-beijing.cr.aliyuncs.com': { username: 'u2', password: 'p2' },
      },
    });
    expect(Object.keys(JSON.parse(text).auth)).toEqual([
      'b-registry.cn-beijing.cr.aliyuncs.com',
      'b-registry-vpc.cn-beijing.cr.aliyuncs.com',
    ]);
  });

  it.each([
    [2700, '2700s'],
    [0, '0s'],
    [0.999, '0s'],
    [59.9, '59s'],
    [-1, '0s'],
    [-0.5, '0s'],
    [-1e12, '0s'],
    [Number.NaN, '0s'],
    [Number.POSITIVE_INFINITY, '9223372036s'],
    [1e20, '9223372036s'],
  ])('cacheDuration for %s seconds is %s', (seconds, expected) => {
    expect(formatCacheDuration(seconds)).toBe(expected);
    expect(
      JSON.parse(
        formatResponse('credentialprovider.kubelet.k8s.io/v1beta1', {
          cacheKeyType: 'Image',
          cacheDurationSeconds: seconds,
          auth: {},
        }),
      ).cacheDuration,
    ).toBe(expected);
  });

  it('round-trips: a parsed request of any version is answered in that version', () => {
    for (const apiVersion of API_VERSIONS) {
      const parsed = parseRequest(request({ apiVersion }));
      if (!parsed.ok) throw new Error(parsed.message);
      expect(
        JSON.parse(formatResponse(parsed.request.apiVersion, { cacheKeyType: 'Image', auth: {} })).apiVersion,
      ).toBe(apiVersion);
    }
  });
});
