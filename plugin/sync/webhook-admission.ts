// The mutating admission webhook's decisions, pure: a ServiceAccount created
// in scope gets the sync's pull Secrets at once, and so does a Pod whose
// ServiceAccount is in scope but whose own imagePullSecrets lack them (a Pod
// that lists its own, or one created before its ServiceAccount was patched —
// the cases where a ServiceAccount-only sync silently stops working).
import type { AcrConfiguration } from '../../provider/configuration/model.js';
import { pullSecretName } from './pull-secret.js';
import { inScope } from './sync-plan.js';

export interface AdmissionRequest {
  uid: string;
  kind?: { group?: string; version?: string; kind?: string };
  operation?: string;
  namespace?: string;
  object?: {
    metadata?: { name?: string; generateName?: string; namespace?: string };
    imagePullSecrets?: { name?: string }[];
    spec?: { serviceAccountName?: string; imagePullSecrets?: { name?: string }[] };
  };
}

export interface AdmissionReview {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: { uid: string; allowed: true; patchType?: 'JSONPatch'; patch?: string; warnings?: string[] };
}

type JsonPatch = { op: 'add'; path: string; value: unknown }[];

/** The sync's Secret names for this configuration: the same in every namespace. */
export function pullSecretNames(config: AcrConfiguration): string[] {
  return [...new Set(config.registries.map(pullSecretName))];
}

function missingRefs(existing: { name?: string }[] | undefined, wanted: readonly string[], path: string): JsonPatch {
  const present = new Set((existing ?? []).map((ref) => ref.name));
  const missing = wanted.filter((name) => !present.has(name)).map((name) => ({ name }));
  if (missing.length === 0) return [];
  // `add` of the whole list when there is none; appended one by one after the user's own otherwise.
  if (existing === undefined) return [{ op: 'add', path, value: missing }];
  return missing.map((value) => ({ op: 'add', path: `${path}/-`, value }));
}

/** The patch for one admission request; empty when nothing is to be added. */
export function admissionPatch(config: AcrConfiguration, request: AdmissionRequest): JsonPatch {
  if (request.operation !== 'CREATE') return [];
  const namespace = request.namespace ?? request.object?.metadata?.namespace ?? '';
  if (!inScope(config.watchNamespaces, namespace)) return [];
  const names = pullSecretNames(config);
  const object = request.object ?? {};
  switch (request.kind?.kind) {
    case 'ServiceAccount':
      if (!inScope(config.serviceAccounts, object.metadata?.name ?? '')) return [];
      return missingRefs(object.imagePullSecrets, names, '/imagePullSecrets');
    case 'Pod': {
      const account = object.spec?.serviceAccountName || 'default';
      if (!inScope(config.serviceAccounts, account)) return [];
      return missingRefs(object.spec?.imagePullSecrets, names, '/spec/imagePullSecrets');
    }
    default:
      return [];
  }
}

/** The AdmissionReview answer: always allowed, with the patch when there is one. */
export function admissionResponse(config: AcrConfiguration | undefined, request: AdmissionRequest): AdmissionReview {
  const patch = config ? admissionPatch(config, request) : [];
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response:
      patch.length > 0
        ? {
            uid: request.uid,
            allowed: true,
            patchType: 'JSONPatch',
            patch: Buffer.from(JSON.stringify(patch)).toString('base64'),
          }
        : { uid: request.uid, allowed: true },
  };
}
