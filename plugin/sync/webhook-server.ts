// The admission webhook over HTTPS: every replica serves it, from the
// configuration in force, and swaps its certificate in place when renewed.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { AcrConfiguration } from '../../provider/configuration/model.js';
import { admissionResponse, type AdmissionRequest } from './webhook-admission.js';
import type { WebhookTls } from './webhook-tls.js';

/** AdmissionReviews of Pods are small; anything this big is not one. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface WebhookServer {
  port: number;
  /** Serves with new TLS files from the next connection on. */
  setTls(tls: WebhookTls): void;
  close(): Promise<void>;
}

export async function serveWebhook(
  address: { host: string; port: number },
  tls: WebhookTls,
  config: () => AcrConfiguration | undefined,
  observe: (seconds: number, patched: boolean) => void = () => undefined,
): Promise<WebhookServer> {
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (request, response) => {
    const started = process.hrtime.bigint();
    const path = (request.url ?? '').split('?')[0] ?? '';
    if (request.method !== 'POST' || !path.startsWith('/mutate/')) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) request.destroy();
      else chunks.push(chunk);
    });
    request.on('end', () => {
      let review: { request?: AdmissionRequest };
      try {
        review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request?: AdmissionRequest };
      } catch {
        response.writeHead(400, { 'Content-Type': 'text/plain' }).end('the body is not an AdmissionReview\n');
        return;
      }
      if (!review.request?.uid) {
        response.writeHead(400, { 'Content-Type': 'text/plain' }).end('the AdmissionReview has no request.uid\n');
        return;
      }
      const answer = admissionResponse(config(), review.request);
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
      observe(Number(process.hrtime.bigint() - started) / 1e9, answer.response.patch !== undefined);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    setTls: (next) => server.setSecureContext({ key: next.key, cert: next.cert }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
