// Keeping the webhook registered as the configuration says: the TLS Secret
// (ours, renewed before expiry; or cert-manager's, used as it is), and the
// MutatingWebhookConfiguration with its caBundle current — or gone when the
// webhook is disabled. Writes carry the resourceVersion read.
import type { AcrConfiguration } from '../../provider/configuration/model.js';
import { MANAGED_BY, MANAGED_BY_LABEL, type SecretObject } from '../configuration-store.js';
import { KubeApiError, resourcePath, type KubeClient, type KubeObject } from '../kube-client.js';
import { generateWebhookTls, renewalReason, serviceDnsNames, type WebhookTls } from './webhook-tls.js';

export const WEBHOOK_NAME = 'kubectl-acr-sync';
export const WEBHOOK_TLS_SECRET = 'kubectl-acr-sync-webhook-tls';
/** cert-manager's CA injector fills caBundle from this Certificate: then it is left to it. */
export const CERT_MANAGER_INJECT = 'cert-manager.io/inject-ca-from';
const NAMESPACE = 'kube-system';

const secrets = { plural: 'secrets' };
const webhooks = { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'mutatingwebhookconfigurations' };

const b64 = (text: string) => Buffer.from(text).toString('base64');
const unb64 = (text: string | undefined) => Buffer.from(text ?? '', 'base64').toString('utf8');

function tlsOf(secret: SecretObject): WebhookTls {
  return {
    caCert: unb64(secret.data?.['ca.crt']),
    cert: unb64(secret.data?.['tls.crt']),
    key: unb64(secret.data?.['tls.key']),
  };
}

function tlsSecret(tls: WebhookTls, resourceVersion?: string): SecretObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: {
      name: WEBHOOK_TLS_SECRET,
      namespace: NAMESPACE,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    data: { 'ca.crt': b64(tls.caCert), 'tls.crt': b64(tls.cert), 'tls.key': b64(tls.key) },
  };
}

/**
 * The TLS the webhook serves with: the stored one while good, else a new CA
 * and certificate stored for every replica. A Secret not labelled as ours
 * (cert-manager's) is used as it is and never replaced.
 */
export async function ensureWebhookTls(
  client: KubeClient,
  now: number,
  log: (line: string) => void,
): Promise<WebhookTls> {
  const path = resourcePath(secrets, NAMESPACE, WEBHOOK_TLS_SECRET);
  const names = serviceDnsNames(WEBHOOK_NAME, NAMESPACE);
  for (let attempt = 0; attempt < 3; attempt++) {
    const stored = await client.get<SecretObject>(path);
    if (stored && stored.metadata.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY) return tlsOf(stored);
    const reason = stored ? renewalReason(tlsOf(stored), names, now) : 'there is none yet';
    if (stored && reason === undefined) return tlsOf(stored);
    const tls = generateWebhookTls(names, now);
    try {
      if (stored) await client.update(path, tlsSecret(tls, stored.metadata.resourceVersion));
      else await client.create(resourcePath(secrets, NAMESPACE), tlsSecret(tls));
      log(
        `webhook certificate ${stored ? 'renewed' : 'created'} in Secret ${NAMESPACE}/${WEBHOOK_TLS_SECRET}: ${reason}`,
      );
      return tls;
    } catch (error) {
      // Another replica stored one first: use theirs.
      if (!(error instanceof KubeApiError && error.status === 409)) throw error;
    }
  }
  throw new Error(`Secret ${NAMESPACE}/${WEBHOOK_TLS_SECRET} kept changing while being written`);
}

export interface WebhookConfigurationObject extends KubeObject {
  webhooks?: Record<string, unknown>[];
}

/** The MutatingWebhookConfiguration this configuration asks for. */
export function webhookConfiguration(
  config: AcrConfiguration,
  caBundle: string | undefined,
): WebhookConfigurationObject {
  const namespaceSelector = config.watchNamespaces.all
    ? {}
    : {
        matchExpressions: [
          { key: 'kubernetes.io/metadata.name', operator: 'In', values: [...config.watchNamespaces.names] },
        ],
      };
  const hook = (resource: 'serviceaccounts' | 'pods') => ({
    name: `${resource}.${WEBHOOK_NAME}.acr.kubectl.io`,
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    failurePolicy: config.webhook.failurePolicy,
    timeoutSeconds: config.webhook.timeoutSeconds,
    reinvocationPolicy: 'Never',
    matchPolicy: 'Equivalent',
    namespaceSelector,
    rules: [
      { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: [resource], scope: 'Namespaced' },
    ],
    clientConfig: {
      service: { namespace: NAMESPACE, name: WEBHOOK_NAME, path: `/mutate/${resource}`, port: 443 },
      ...(caBundle !== undefined ? { caBundle } : {}),
    },
  });
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: WEBHOOK_NAME, labels: { [MANAGED_BY_LABEL]: MANAGED_BY } },
    webhooks: [hook('serviceaccounts'), hook('pods')],
  };
}

/** Whether `actual` holds everything `wanted` says: the apiserver adds defaults of its own, which are not a change. */
export function covers(actual: unknown, wanted: unknown): boolean {
  if (Array.isArray(wanted))
    return Array.isArray(actual) && actual.length === wanted.length && wanted.every((w, i) => covers(actual[i], w));
  if (typeof wanted === 'object' && wanted !== null)
    return (
      typeof actual === 'object' &&
      actual !== null &&
      Object.entries(wanted).every(([key, value]) => covers((actual as Record<string, unknown>)[key], value))
    );
  return actual === wanted;
}

/** Registers, updates or removes the webhook; returns a line when it changed something. */
export async function reconcileWebhook(
  client: KubeClient,
  config: AcrConfiguration,
  tls: WebhookTls | undefined,
): Promise<string | undefined> {
  const path = resourcePath(webhooks, undefined, WEBHOOK_NAME);
  const current = await client.get<WebhookConfigurationObject>(path);
  const ours = current?.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY;
  if (!config.webhook.enabled) {
    if (!current || !ours) return undefined;
    await client.remove(path, current.metadata.resourceVersion ?? '');
    return `webhook ${WEBHOOK_NAME} removed: webhook-configuration does not enable it`;
  }
  if (current && !ours) return `left MutatingWebhookConfiguration ${WEBHOOK_NAME} alone: it is not labelled as ours`;
  const injected = current?.metadata.annotations?.[CERT_MANAGER_INJECT] !== undefined;
  const caBundle = injected || !tls ? undefined : b64(tls.caCert);
  const desired = webhookConfiguration(config, caBundle);
  if (current) {
    const keepInjected = (hooks: Record<string, unknown>[] | undefined) =>
      (hooks ?? []).map((hook, i) => {
        const clientConfig = hook['clientConfig'] as Record<string, unknown>;
        const was = (current.webhooks?.[i]?.['clientConfig'] as Record<string, unknown> | undefined)?.['caBundle'];
        return injected && was !== undefined ? { ...hook, clientConfig: { ...clientConfig, caBundle: was } } : hook;
      });
    const next = { ...current, webhooks: keepInjected(desired.webhooks) };
    if (covers(current.webhooks, next.webhooks)) return undefined;
    await client.update(path, next);
    return `webhook ${WEBHOOK_NAME} updated`;
  }
  await client.create(resourcePath(webhooks), desired);
  return `webhook ${WEBHOOK_NAME} registered (failure policy ${config.webhook.failurePolicy}, timeout ${config.webhook.timeoutSeconds}s)`;
}
