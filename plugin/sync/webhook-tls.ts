// The webhook's own CA and serving certificate, made with node-forge (a kept
// X.509 library; keys from Node's crypto), and when they are due for renewal.
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

export interface WebhookTls {
  /** PEM */
  caCert: string;
  cert: string;
  key: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const CA_LIFETIME_DAYS = 3650;
export const CERT_LIFETIME_DAYS = 365;
/** A serving certificate this close to expiry (or a CA) is replaced. */
export const RENEW_BEFORE_DAYS = 30;

function rsaKey(): forge.pki.rsa.PrivateKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
}

function serial(): string {
  // Positive, 16 bytes: as RFC 5280 asks.
  return `01${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
}

function certificate(key: forge.pki.rsa.PrivateKey, subject: string, now: number, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = serial();
  // An hour back: nodes whose clocks run a little behind accept it at once.
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + days * DAY_MS);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  return cert;
}

/** The DNS names the apiserver uses to reach the webhook Service. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ];
}

export function generateWebhookTls(dnsNames: readonly string[], now: number): WebhookTls {
  const caKey = rsaKey();
  const ca = certificate(caKey, 'kubectl-acr-sync webhook CA', now, CA_LIFETIME_DAYS);
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKey, forge.md.sha256.create());
  const key = rsaKey();
  const cert = certificate(key, dnsNames[dnsNames.length - 2] ?? dnsNames[0] ?? 'webhook', now, CERT_LIFETIME_DAYS);
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: dnsNames.map((value) => ({ type: 2, value })) },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return {
    caCert: forge.pki.certificateToPem(ca),
    cert: forge.pki.certificateToPem(cert),
    key: forge.pki.privateKeyToPem(key),
  };
}

/**
 * Why these TLS files cannot serve `dnsNames` until `now` plus the renewal
 * margin, or undefined when they can: unreadable, not signed by the CA, a
 * name missing, or close to expiry.
 */
export function renewalReason(tls: WebhookTls, dnsNames: readonly string[], now: number): string | undefined {
  let cert: X509Certificate;
  let ca: X509Certificate;
  try {
    cert = new X509Certificate(tls.cert);
    ca = new X509Certificate(tls.caCert);
  } catch {
    return 'the stored certificate cannot be read';
  }
  if (!cert.verify(ca.publicKey)) return 'the serving certificate is not signed by the stored CA';
  const missing = dnsNames.filter((name) => !cert.checkHost(name, { subject: 'never' }));
  if (missing.length > 0) return `the serving certificate does not name ${missing.join(', ')}`;
  const renewBy = now + RENEW_BEFORE_DAYS * DAY_MS;
  if (Date.parse(cert.validTo) < renewBy || Date.parse(ca.validTo) < renewBy)
    return `the certificate expires within ${RENEW_BEFORE_DAYS} days`;
  return undefined;
}
