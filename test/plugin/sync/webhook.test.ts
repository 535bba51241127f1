// The webhook's pure parts by table: the JSON patches it answers, the
// MutatingWebhookConfiguration it keeps, and when its certificate is renewed.
import { describe, expect, it } from 'vitest';
import { parseConfigurationData } from '../../../provider/configuration/parse-configuration.js';
import type { AcrConfiguration } from '../../../provider/configuration/model.js';
import {
  admissionPatch,
  admissionResponse,
  pullSecretNames,
  type AdmissionRequest,
} from '../../../plugin/sync/webhook-admission.js';
import { covers, webhookConfiguration } from '../../../plugin/sync/webhook-registration.js';
import { generateWebhookTls, renewalReason, serviceDnsNames } from '../../../plugin/sync/webhook-tls.js';

function config(data: Record<string, string>): AcrConfiguration {
  const parsed = parseConfigurationData(data);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.config;
}
const SCOPED = config({
  'watch-namespace': 'team-a',
  'service-account': 'default,builder',
  'acr-registry-info': '- instanceId: cri-acme\n  regionId: cn-hangzhou\n',
  'webhook-configuration': 'enable: true\nfailure-policy: Fail\ntimeout-seconds: 3\n',
});
const [NAME] = pullSecretNames(SCOPED);

const sa = (namespace: string, name: string, refs?: string[]): AdmissionRequest => ({
  uid: 'u1',
  kind: { group: '', version: 'v1', kind: 'ServiceAccount' },
  operation: 'CREATE',
  namespace,
  object: { metadata: { name, namespace }, ...(refs ? { imagePullSecrets: refs.map((name) => ({ name })) } : {}) },
});
const pod = (namespace: string, account: string | undefined, refs?: string[]): AdmissionRequest => ({
  uid: 'u2',
  kind: { group: '', version: 'v1', kind: 'Pod' },
  operation: 'CREATE',
  namespace,
  object: {
    metadata: { generateName: 'app-', namespace },
    spec: {
      ...(account ? { serviceAccountName: account } : {}),
      ...(refs ? { imagePullSecrets: refs.map((name) => ({ name })) } : {}),
    },
  },
});

describe('admissionPatch', () => {
  it.each<[string, AdmissionRequest, unknown[]]>([
    [
      'a new ServiceAccount in scope without references',
      sa('team-a', 'default'),
      [{ op: 'add', path: '/imagePullSecrets', value: [{ name: NAME }] }],
    ],
    [
      'a new ServiceAccount with its own references: ours appended after them',
      sa('team-a', 'builder', ['mine']),
      [{ op: 'add', path: '/imagePullSecrets/-', value: { name: NAME } }],
    ],
    ['a ServiceAccount that already has ours', sa('team-a', 'default', [NAME!]), []],
    ['a ServiceAccount out of scope', sa('team-a', 'robot'), []],
    ['a namespace out of scope', sa('team-b', 'default'), []],
    [
      'a Pod listing its own imagePullSecrets',
      pod('team-a', undefined, ['mine']),
      [{ op: 'add', path: '/spec/imagePullSecrets/-', value: { name: NAME } }],
    ],
    [
      'a Pod whose ServiceAccount was not patched yet',
      pod('team-a', 'builder'),
      [{ op: 'add', path: '/spec/imagePullSecrets', value: [{ name: NAME }] }],
    ],
    ['a Pod that has ours from its ServiceAccount', pod('team-a', 'default', ['mine', NAME!]), []],
    ['a Pod of a ServiceAccount out of scope', pod('team-a', 'robot', ['mine']), []],
    ['an update, not a creation', { ...sa('team-a', 'default'), operation: 'UPDATE' }, []],
    ['another kind', { ...sa('team-a', 'default'), kind: { kind: 'Secret' } }, []],
  ])('%s', (_name, request, patch) => {
    expect(admissionPatch(SCOPED, request)).toEqual(patch);
  });

  it('the answer always allows, with the patch base64-encoded, and carries the uid', () => {
    const answer = admissionResponse(SCOPED, sa('team-a', 'default'));
    expect(answer.response.allowed).toBe(true);
    expect(answer.response.uid).toBe('u1');
    expect(answer.response.patchType).toBe('JSONPatch');
    expect(JSON.parse(Buffer.from(answer.response.patch!, 'base64').toString())).toEqual([
      { op: 'add', path: '/imagePullSecrets', value: [{ name: NAME }] },
    ]);
    expect(admissionResponse(undefined, sa('team-a', 'default')).response).toEqual({ uid: 'u1', allowed: true });
  });
});

describe('webhookConfiguration', () => {
  it('as the configuration says: failure policy, timeout, watched namespaces, CREATE of ServiceAccounts and Pods', () => {
    const object = webhookConfiguration(SCOPED, 'Q0E=');
    expect(
      object.webhooks?.map((hook) => [
        hook['name'],
        hook['failurePolicy'],
        hook['timeoutSeconds'],
        hook['sideEffects'],
      ]),
    ).toEqual([
      ['serviceaccounts.kubectl-acr-sync.acr.kubectl.io', 'Fail', 3, 'None'],
      ['pods.kubectl-acr-sync.acr.kubectl.io', 'Fail', 3, 'None'],
    ]);
    expect(object.webhooks?.[0]?.['namespaceSelector']).toEqual({
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['team-a'] }],
    });
    expect(object.webhooks?.[1]?.['clientConfig']).toEqual({
      service: { namespace: 'kube-system', name: 'kubectl-acr-sync', path: '/mutate/pods', port: 443 },
      caBundle: 'Q0E=',
    });
    const all = webhookConfiguration(config({ 'watch-namespace': 'all' }), undefined);
    expect(all.webhooks?.[0]?.['namespaceSelector']).toEqual({});
    expect(all.webhooks?.[0]?.['clientConfig']).not.toHaveProperty('caBundle');
  });

  it.each<[string, unknown, unknown, boolean]>([
    ['the same', { a: 1, b: [1, { c: 2 }] }, { a: 1, b: [1, { c: 2 }] }, true],
    ['defaults added by the server', { a: 1, extra: true, b: [{ c: 2, d: 3 }] }, { a: 1, b: [{ c: 2 }] }, true],
    ['a value changed', { a: 2 }, { a: 1 }, false],
    ['an item more', { b: [1, 2] }, { b: [1] }, false],
    ['a field missing', {}, { a: 1 }, false],
  ])('covers: %s', (_name, actual, wanted, expected) => {
    expect(covers(actual, wanted)).toBe(expected);
  });
});

describe('webhook TLS', () => {
  const names = serviceDnsNames('kubectl-acr-sync', 'kube-system');
  const now = Date.UTC(2026, 11, 2);
  const tls = generateWebhookTls(names, now);
  const day = 24 * 60 * 60 * 1000;
  it.each<[string, () => string | undefined, string | undefined]>([
    ['fresh', () => renewalReason(tls, names, now), undefined],
    ['eleven months on', () => renewalReason(tls, names, now + 334 * day), undefined],
    [
      '29 days before expiry',
      () => renewalReason(tls, names, now + 336 * day),
      'the certificate expires within 30 days',
    ],
    [
      'another name needed',
      () => renewalReason(tls, ['other.kube-system.svc'], now),
      'the serving certificate does not name other.kube-system.svc',
    ],
    [
      'another CA',
      () => renewalReason({ ...tls, caCert: generateWebhookTls(names, now).caCert }, names, now),
      'the serving certificate is not signed by the stored CA',
    ],
    ['garbage', () => renewalReason({ ...tls, cert: 'x' }, names, now), 'the stored certificate cannot be read'],
  ])('%s', (_name, reason, expected) => {
    expect(reason()).toBe(expected);
  });
  it('names every form of the Service name', () => {
    expect(names).toEqual([
      'kubectl-acr-sync',
      'kubectl-acr-sync.kube-system',
      'kubectl-acr-sync.kube-system.svc',
      'kubectl-acr-sync.kube-system.svc.cluster.local',
    ]);
  });
});
