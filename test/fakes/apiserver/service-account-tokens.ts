// ServiceAccount tokens as the API server's TokenRequest issues them: RS256
// JWTs with the issuer, the audience asked for, the subject
// system:serviceaccount:<ns>:<name>, the `kubernetes.io` claim naming the
// ServiceAccount (and the pod they are bound to) and an expiry. The fake STS
// verifies them with the issuer's public key, as RAM's OIDC provider does.
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';

export interface ServiceAccountTokenRequest {
  namespace: string;
  name: string;
  /** The ServiceAccount object's UID; a fixed one per name unless given. */
  uid?: string;
  audience?: string | string[];
  /** Default 3600 (the kubelet's TokenRequest default). */
  expiresInSeconds?: number;
  /** Default the machine's clock. */
  now?: number;
  podName?: string;
}

export interface ServiceAccountIssuer {
  issuer: string;
  publicKey: KeyObject;
  mint(request: ServiceAccountTokenRequest): string;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function createServiceAccountIssuer(issuer = 'https://oidc.cluster.test/c0ffee'): ServiceAccountIssuer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const uids = new Map<string, string>();
  return {
    issuer,
    publicKey,
    mint(request) {
      const key = `${request.namespace}/${request.name}`;
      const uid = request.uid ?? uids.get(key) ?? randomUUID();
      uids.set(key, uid);
      const issuedAt = Math.floor((request.now ?? Date.now()) / 1000);
      const podName = request.podName ?? `${request.name}-pod`;
      const header = encode({ alg: 'RS256', kid: 'fake-apiserver' });
      const payload = encode({
        aud: request.audience ?? 'sts.aliyuncs.com',
        exp: issuedAt + (request.expiresInSeconds ?? 3600),
        iat: issuedAt,
        nbf: issuedAt,
        iss: issuer,
        jti: randomUUID(),
        sub: `system:serviceaccount:${request.namespace}:${request.name}`,
        'kubernetes.io': {
          namespace: request.namespace,
          pod: { name: podName, uid: randomUUID() },
          serviceaccount: { name: request.name, uid },
        },
      });
      const signature = sign('sha256', Buffer.from(`${header}.${payload}`), privateKey).toString('base64url');
      return `${header}.${payload}.${signature}`;
    },
  };
}
