// `kubectl acr credentials IMAGE --service-account ns/name`: the pull as the
// kubelet makes it in pod-identity mode. The ServiceAccount's role
// annotations (only those the kubelet passes on), a token the API server
// issues for RRSA's audience (TokenRequest, as the kubelet does), and the
// provider's own decision on them.
import { KubeApiError, resourcePath, type KubeClient, type KubeObject } from '../kube-client.js';
import type { PodIdentityConfiguration } from '../../provider/configuration/model.js';
import { RRSA_AUDIENCE, WORKLOAD_ANNOTATIONS } from '../../provider/credentials/service-account-token.js';
import {
  decideWorkload,
  describeWorkload,
  type WorkloadIdentity,
} from '../../provider/credentials/workload-identity.js';
import { UsageError } from '../../provider/common/exit-codes.js';
import type { Step } from './credentials-walk.js';

/** The shortest lifetime TokenRequest grants; the walk needs a minute. */
const TOKEN_SECONDS = 600;

export interface ServiceAccountPull {
  step: Step;
  workload?: WorkloadIdentity;
  /** The token the API server issued, for redaction. */
  token?: string;
}

function failed(serviceAccount: string, detail: string, fix: string, code?: string): ServiceAccountPull {
  return {
    step: { step: `ServiceAccount ${serviceAccount}`, outcome: 'failed', detail, fix, ...(code ? { code } : {}) },
  };
}

export async function serviceAccountPull(
  client: KubeClient,
  reference: string,
  podIdentity: PodIdentityConfiguration,
  now: number,
): Promise<ServiceAccountPull> {
  const match = /^([a-z0-9-]+)\/([a-z0-9.-]+)$/.exec(reference);
  if (!match) throw new UsageError(`--service-account ${JSON.stringify(reference)} is not <namespace>/<name>.`);
  const [, namespace, name] = match as unknown as [string, string, string];
  const path = resourcePath({ plural: 'serviceaccounts' }, namespace, name);
  const account = await client.get<KubeObject>(path);
  if (!account)
    return failed(
      reference,
      'does not exist',
      `Create it, or name the ServiceAccount the pod runs as (spec.serviceAccountName).`,
    );
  const annotations = Object.fromEntries(
    WORKLOAD_ANNOTATIONS.flatMap((key) => {
      const value = account.metadata.annotations?.[key];
      return value === undefined ? [] : [[key, value]];
    }),
  );
  if (!podIdentity.enabled) {
    const named = Object.keys(annotations).length > 0 ? ' (its role annotations are not used)' : '';
    return {
      step: {
        step: `ServiceAccount ${reference}`,
        outcome: 'ok',
        detail: `pod-identity is off in acr-configuration: nodes send no token, the node's identity answers${named}`,
      },
    };
  }
  let token: string;
  try {
    const request = await client.create<KubeObject & { status?: { token?: string } }>(`${path}/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: {},
      spec: { audiences: [RRSA_AUDIENCE], expirationSeconds: TOKEN_SECONDS },
    });
    token = request.status?.token ?? '';
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.status !== 403) throw error;
    return failed(
      reference,
      `cannot request a ${RRSA_AUDIENCE} token for it (403 ${error.reason})`,
      `Run this as a user allowed to create serviceaccounts/token in ${namespace}.`,
    );
  }
  const decision = decideWorkload(
    { serviceAccountToken: token, serviceAccountAnnotations: annotations },
    podIdentity,
    now,
  );
  switch (decision.kind) {
    case 'refused':
      return { ...failed(reference, decision.message, decision.fix, decision.code), token };
    case 'node':
      return {
        step: {
          step: `ServiceAccount ${reference}`,
          outcome: 'ok',
          detail: "names no role: the node's identity answers",
        },
        token,
      };
    case 'workload': {
      const { identity } = decision;
      return {
        step: {
          step: `ServiceAccount ${reference}`,
          outcome: 'ok',
          detail: `${describeWorkload(identity)} from ${identity.annotation}, OIDC provider ${identity.oidcProviderArn}; token for ${RRSA_AUDIENCE} issued by the API server`,
        },
        workload: identity,
        token,
      };
    }
  }
}
